#include "core/csv.h"

#include <csv.h>

namespace postern {

namespace {

// libcsv is fed this much at a time, so that an over-long field is noticed
// after at most this many bytes more than the limit.
constexpr std::size_t kChunk = 4096;

}  // namespace

struct CsvReader::Parser {
  csv_parser p{};
  bool ready = false;
  ~Parser() {
    if (ready) csv_free(&p);
  }
};

CsvReader::CsvReader(std::size_t max_fields, std::size_t max_field_bytes)
    : parser_(std::make_unique<Parser>()),
      max_fields_(max_fields),
      max_field_bytes_(max_field_bytes) {
  if (csv_init(&parser_->p, CSV_STRICT | CSV_STRICT_FINI) == 0) {
    parser_->ready = true;
  } else {
    error_ = "cannot set up the CSV reader";
  }
}

CsvReader::~CsvReader() = default;

void CsvReader::on_field(void* data, std::size_t size, void* self) {
  auto* r = static_cast<CsvReader*>(self);
  if (!r->error_.empty()) return;
  if (r->row_.size() >= r->max_fields_) {
    r->error_ = "row " + std::to_string(r->rows_read_ + 1) + " has more than " +
                std::to_string(r->max_fields_) + " fields";
    return;
  }
  r->row_.push_back(data ? std::string(static_cast<const char*>(data), size) : std::string());
}

void CsvReader::on_row(int, void* self) {
  auto* r = static_cast<CsvReader*>(self);
  if (!r->error_.empty()) return;
  ++r->rows_read_;
  r->rows_.push_back(std::move(r->row_));
  r->row_.clear();
}

Result<void, Problem> CsvReader::check() {
  if (error_.empty() && csv_get_buffer_size(&parser_->p) > max_field_bytes_ + kChunk) {
    error_ = "row " + std::to_string(rows_read_ + 1) + " has a field longer than " +
             std::to_string(max_field_bytes_) + " bytes";
  }
  if (!error_.empty()) return Problem{error_};
  return {};
}

Result<void, Problem> CsvReader::feed(std::string_view bytes) {
  while (error_.empty() && !bytes.empty()) {
    auto chunk = bytes.substr(0, kChunk);
    auto parsed = csv_parse(&parser_->p, chunk.data(), chunk.size(), on_field, on_row, this);
    if (parsed != chunk.size() && error_.empty()) {
      error_ = "row " + std::to_string(rows_read_ + 1) +
               " is not valid CSV (RFC 4180): " + csv_strerror(csv_error(&parser_->p));
    }
    for (const auto& f : row_) {
      if (error_.empty() && f.size() > max_field_bytes_) {
        error_ = "row " + std::to_string(rows_read_ + 1) + " has a field longer than " +
                 std::to_string(max_field_bytes_) + " bytes";
      }
    }
    if (auto bad = check(); !bad) return bad;
    bytes.remove_prefix(chunk.size());
  }
  return check();
}

Result<void, Problem> CsvReader::finish() {
  if (!error_.empty()) return Problem{error_};
  if (csv_fini(&parser_->p, on_field, on_row, this) != 0 && error_.empty()) {
    error_ = "row " + std::to_string(rows_read_ + 1) + " ends inside a quoted field";
  }
  return check();
}

// By hand: libcsv's csv_write quotes every field, and an export reads
// better (and diffs better) with quotes only where RFC 4180 needs them.
std::string csv_field(std::string_view value) {
  bool quote = !value.empty() && (value.front() == ' ' || value.back() == ' ' ||
                                  value.front() == '\t' || value.back() == '\t');
  quote = quote || value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  return out + "\r\n";
}

}  // namespace postern
