#include "events/suppression_csv.h"

#include <algorithm>

#include "core/ascii.h"
#include "core/time_format.h"
#include "events/suppression_entry.h"

namespace postern::events {

namespace {

enum Column { kAddress, kReason, kProvider, kMessageId, kDetail, kCreatedAt };

FieldError csv_error(std::string message, std::string field = "body") {
  return FieldError{"invalid_csv", std::move(message), std::move(field)};
}

}  // namespace

const std::vector<std::string>& suppression_csv_columns() {
  static const std::vector<std::string> columns = {"address",    "reason", "provider",
                                                   "message_id", "detail", "created_at"};
  return columns;
}

std::string suppression_csv_header() { return csv_line(suppression_csv_columns()); }

std::string suppression_csv_line(const store::Suppression& e) {
  return csv_line({e.address, e.reason, e.provider, e.message ? e.message->to_string() : "",
                   e.detail, format_rfc3339(e.created_at)});
}

Result<void, FieldError> SuppressionCsvReader::read_header(const CsvReader::Row& row) {
  const auto& known = suppression_csv_columns();
  for (const auto& name : row) {
    auto lowered = ascii_lowered(name);
    auto it = std::find(known.begin(), known.end(), lowered);
    if (it == known.end()) {
      return csv_error("the header names an unknown column '" + name +
                           "'; the columns are address, reason, provider, message_id, detail, "
                           "created_at",
                       "row 1");
    }
    int index = static_cast<int>(it - known.begin());
    if (std::find(columns_.begin(), columns_.end(), index) != columns_.end())
      return csv_error("the header names column '" + lowered + "' twice", "row 1");
    columns_.push_back(index);
  }
  if (std::find(columns_.begin(), columns_.end(), kAddress) == columns_.end())
    return csv_error("the header row must name an 'address' column", "row 1");
  have_header_ = true;
  return {};
}

Result<store::Suppression, FieldError> SuppressionCsvReader::entry(const CsvReader::Row& row,
                                                                   std::size_t number) {
  auto where = "row " + std::to_string(number);
  if (row.size() != columns_.size()) {
    return csv_error(where + " has " + std::to_string(row.size()) + " fields; the header has " +
                         std::to_string(columns_.size()),
                     where);
  }
  store::Suppression e;
  e.created_at = now_;
  for (std::size_t i = 0; i < row.size(); ++i) {
    const auto& v = row[i];
    switch (columns_[i]) {
      case kAddress:
        e.address = v;
        break;
      case kReason:
        e.reason = v;
        break;
      case kProvider:
        e.provider = v;
        break;
      case kMessageId:
        if (!v.empty()) {
          e.message = MessageId::parse(v);
          if (!e.message)
            return csv_error(where + ": message_id '" + v + "' is not a message id",
                             where + ", message_id");
        }
        break;
      case kDetail:
        e.detail = v;
        break;
      case kCreatedAt:
        if (!v.empty()) {
          auto at = parse_time(v);
          // Times the clock cannot hold (before 1970, or saturated past
          // 2262) are refused: they would not be written back as read.
          if (!at || *at < SystemTime{} || *at == SystemTime::max())
            return csv_error(
                where + ": created_at '" + v + "' is not an RFC 3339 time from 1970 to 2262",
                where + ", created_at");
          e.created_at = *at;
        }
        break;
    }
  }
  if (auto bad = check_suppression(e); !bad) {
    auto error = bad.error();
    error.message = where + ": " + error.message;
    error.field = where + ", " + error.field;
    return error;
  }
  return e;
}

Result<void, FieldError> SuppressionCsvReader::take() {
  auto& rows = csv_.rows();
  std::size_t used = 0;
  Result<void, FieldError> out;
  for (; used < rows.size() && out; ++used) {
    ++rows_taken_;
    if (!have_header_) {
      out = read_header(rows[used]);
      continue;
    }
    auto e = entry(rows[used], rows_taken_);
    if (e) {
      entries_.push_back(std::move(*e));
    } else {
      out = e.error();
    }
  }
  rows.clear();
  return out;
}

Result<void, FieldError> SuppressionCsvReader::feed(std::string_view bytes) {
  // The rows before a CSV error are read first: a bad row before it is
  // the first error, however the input was cut into chunks.
  auto fed = csv_.feed(bytes);
  if (auto bad = take(); !bad) return bad;
  if (!fed) return csv_error(fed.error().message);
  return {};
}

Result<void, FieldError> SuppressionCsvReader::finish() {
  auto finished = csv_.finish();
  if (auto bad = take(); !bad) return bad;
  if (!finished) return csv_error(finished.error().message);
  if (!have_header_) return csv_error("the CSV has no header row (address,reason,provider,...)");
  return {};
}

}  // namespace postern::events
