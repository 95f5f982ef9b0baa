// The message log's search (store.h ListFilter) on the PostgreSQL store:
// one statement per search, reading one index range newest first and
// stopping at a page, so that a page costs about the same on a database of
// a thousand messages or of millions.
//
// As on SQLite (store/sqlite/message_search.h), a search by recipient or
// tag reads the message_terms primary key (term, message_id) of its term
// (schema migration 3) newest first, each row joined to its message; one
// by status or provider the partial indexes messages_by_status (status,
// id) and messages_by_provider (provider, id); the other filters are
// checked on each candidate. Unlike SQLite's, PostgreSQL's planner may
// reorder the join from its statistics (a rare status before a common
// tag), so the statement needs no count to choose. The terms are made in
// SQL (postern_recipient_term), as the writer makes them, so one
// definition serves both.
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"

namespace postern::store::postgres {

// The page query of `f`, selecting `columns` of messages m. Parameters: $1
// lowest id, $2 id bound (exclusive), $3 limit, then f's provider,
// recipient and tag, those it has, in this order.
std::string search_sql(const ListFilter& f, std::string_view columns);

}  // namespace postern::store::postgres
