// CSV (RFC 4180) as import and export files use it: a streaming reader fed
// in chunks (a large import never sits whole in memory) and the writer's
// quoting. Reading is libcsv's (Debian libcsv-dev), in strict mode: a quote
// inside an unquoted field, text after a closing quote or a quoted field
// left open is an error rather than a guess. Rows end with CRLF or LF;
// blank lines are skipped; spaces around an unquoted field are dropped.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace postern {

class CsvReader {
 public:
  using Row = std::vector<std::string>;

  // Bounds what one row may hold, as the reader takes outside input.
  explicit CsvReader(std::size_t max_fields = 64, std::size_t max_field_bytes = 64 * 1024);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads `bytes`; the rows they complete wait in rows(). After an error
  // every later call answers it again.
  Result<void, Problem> feed(std::string_view bytes);
  // The end of the input: completes the last row (with or without its line
  // end), or refuses a quoted field left open.
  Result<void, Problem> finish();

  // The rows completed so far and not yet taken.
  std::vector<Row>& rows() { return rows_; }
  // Rows completed since the start (the number of the last one, from 1).
  std::size_t rows_read() const { return rows_read_; }

 private:
  struct Parser;
  static void on_field(void* data, std::size_t size, void* self);
  static void on_row(int terminator, void* self);
  Result<void, Problem> check();

  std::unique_ptr<Parser> parser_;
  std::size_t max_fields_;
  std::size_t max_field_bytes_;
  Row row_;
  std::vector<Row> rows_;
  std::size_t rows_read_ = 0;
  std::string error_;
};

// One field as RFC 4180 writes it: quoted (its quotes doubled) when it
// holds a comma, a quote, a line end or spaces at either end; else as is.
std::string csv_field(std::string_view value);
// Fields joined by commas, ended by CRLF.
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace postern
