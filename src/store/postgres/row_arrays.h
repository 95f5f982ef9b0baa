// Many rows written by one execution of one statement. Each parameter of
// such a statement is an array holding one column of the rows
// (`unnest($1::int8[], $2::text[], ...)`), sent in PostgreSQL's binary
// array format, so no value is escaped. Why: for the store's short writes
// the server spends as much on starting each execution (planning is
// cached, but each one builds its executor state and opens its indexes) as
// on the rows themselves. With a group commit's new messages going as one
// statement instead of one each, the server's CPU per accepted message fell
// by a quarter (docs/performance-notes.md, "Cluster").
//
// Only for writes whose plan cannot go astray: INSERTs, and locks. An
// UPDATE joined to the arrays is planned with the table's statistics, and
// a plan cached while the table was small (a new database taking load)
// scanned the whole table for every batch until the next ANALYZE; an
// update of one row by its key always looks it up by the index.
#pragma once

#include <string>
#include <vector>

#include "store/postgres/connection.h"

namespace postern::store::postgres {

// The arrays of a RowStatement's rows: one binary array parameter per
// column, each row's values (a Params in column order) in row order. A
// value of an int8 column is given with Params::integer, of a text column
// with text, of a bytea column with bytes; any may be null.
Params column_arrays(const RowStatement& statement, const std::vector<Params>& rows);

}  // namespace postern::store::postgres
