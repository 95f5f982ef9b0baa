// The suppression list as CSV (RFC 4180), for import and export: a header
// row naming the columns, then one row per address. Export writes every
// column; import needs `address` and takes any of the others, in any
// order (a list from elsewhere often has only addresses), refusing a
// column it does not know rather than dropping what it holds.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/csv.h"
#include "core/field_error.h"
#include "store/event_store.h"

namespace postern::events {

// address,reason,provider,message_id,detail,created_at
const std::vector<std::string>& suppression_csv_columns();
// The header line and the line of one entry, each ended by CRLF.
std::string suppression_csv_header();
std::string suppression_csv_line(const store::Suppression& entry);

// Reads an import fed in chunks: each row becomes a checked entry
// (check_suppression), waiting in entries() until the caller takes it; a
// row without created_at was created `now`.
class SuppressionCsvReader {
 public:
  explicit SuppressionCsvReader(SystemTime now) : now_(now) {}

  // Reads `bytes`, or stops at the first error: its field names the row
  // and column ("row 3, address"); the rows before it are in entries().
  Result<void, FieldError> feed(std::string_view bytes);
  // The end of the input: the last row's entry, if any. An input without
  // even a header row is an error.
  Result<void, FieldError> finish();

  // The entries read and not yet taken, in the file's order.
  std::vector<store::Suppression>& entries() { return entries_; }

 private:
  Result<void, FieldError> take();
  Result<void, FieldError> read_header(const CsvReader::Row& row);
  Result<store::Suppression, FieldError> entry(const CsvReader::Row& row, std::size_t number);

  SystemTime now_;
  CsvReader csv_;
  bool have_header_ = false;
  std::vector<int> columns_;  // per column of the file: its index in suppression_csv_columns()
  std::size_t rows_taken_ = 0;
  std::vector<store::Suppression> entries_;
};

}  // namespace postern::events
