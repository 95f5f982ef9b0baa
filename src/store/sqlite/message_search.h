// The message log's search (store.h ListFilter) on the SQLite store: one
// prepared statement per shape of search, each reading one index range
// newest first and stopping at a page, so that a page costs about the same
// on a store of a thousand messages or of millions.
//
// A search is led by one of its filters, whose index gives the candidate
// rows in id order (status: messages_by_status; provider of the last
// attempt: messages_by_provider; recipient and tag: message_terms, schema
// migration 15), or by the id range alone; the other filters are checked
// on each candidate (a row or a primary-key lookup). With two filters or
// more, the one with the fewest entries in the range leads: each is counted
// up to a cap first, so a rare status does not have to be found among a
// common tag's messages, nor the other way round. Queued messages are not
// in messages_by_status (schema migration 5): a queued status never leads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/database.h"
#include "store/store.h"

namespace postern::store::sqlite {

// The filters of a search, as bits.
enum SearchFilter : unsigned {
  by_status = 1,
  by_provider = 2,
  by_recipient = 4,
  by_tag = 8,
};
inline constexpr unsigned kSearchFilterCount = 4;

struct SearchShape {
  unsigned filters = 0;  // SearchFilter bits
  unsigned lead = 0;     // one of `filters`' bits, or 0: the id range
  friend bool operator==(const SearchShape&, const SearchShape&) = default;
};

// Every shape a search can take (what the store prepares, and the query
// plan test checks).
std::vector<SearchShape> all_search_shapes();

// The page query of `shape`, selecting `columns` of messages. Parameters:
// ?1 status, ?2 lowest id, ?3 id bound (exclusive), ?4 limit, ?5 provider,
// ?6 recipient term, ?7 tag term (store/sqlite/message_terms.h).
std::string search_sql(SearchShape shape, std::string_view columns);

class MessageSearch {
 public:
  // Prepares every shape's statement on `db` (a reader's connection).
  static Result<MessageSearch> prepare(Database& db, std::string_view columns);

  // The statement of a page of `f` between ids `low` and `high`
  // (exclusive), bound and ready to step. Not for a search by queued
  // status alone (the reader's own statements serve it).
  Result<Statement*> page(const ListFilter& f, std::uint64_t low, std::uint64_t high);

 private:
  // Up to how many of a filter's entries are counted to choose the lead.
  static constexpr std::int64_t kCountCap = 2000;

  Result<unsigned> choose_lead(const ListFilter& f, unsigned filters, std::uint64_t low,
                               std::uint64_t high);

  std::vector<Statement> pages_;   // by shape_index
  std::vector<Statement> counts_;  // status, provider, term
  // The bound terms: a statement's text parameters must outlive its steps.
  std::string recipient_term_;
  std::string tag_term_;
};

}  // namespace postern::store::sqlite
