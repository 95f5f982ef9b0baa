// Sans-io reading of one HTTP/1.1 request as the server does it: Beast's
// parser under the server's size limits, fed whatever bytes have arrived,
// and the answer each parse error gets. Kept apart from the socket so that
// it can be fuzzed (tests/fuzz/http_request_fuzz.cpp).
#pragma once

#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/inflight_budget.h"
#include "net/detail/appending_body.h"
#include "net/http_message.h"

namespace postern::net::detail {

struct RequestLimits {
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 40 * 1024 * 1024;
  // One field line (name, ": " and value), and how many fields: the limits
  // common servers set (Apache's LimitRequestFieldSize and LimitRequestFields,
  // nginx's 8k header buffers), so that nothing passes here that a proxy in
  // front would refuse, and a header of many tiny fields is refused too.
  std::size_t max_field_bytes = 8 * 1024;
  std::size_t max_fields = 100;
  // The budget for message content in flight (limits.inflight_bytes): the
  // body is charged to it (its Content-Length at once, a chunked one as it
  // comes) and refused with 503 past it. Null: none.
  InflightBudget* budget = nullptr;
};

class RequestReader {
 public:
  explicit RequestReader(const RequestLimits& limits);

  // Parses from the start of `input` (the bytes not used yet) and returns
  // how many it used. Beast parses a header only once all of it is there,
  // so bytes left unused must be offered again with more behind them.
  // Does nothing once done() or refused.
  std::size_t feed(std::string_view input);

  // A whole request was read.
  bool done() const { return parser_.is_done(); }
  // The request cannot be read: 400 (malformed), 413 (body over the limit)
  // or 431 (header, a field or the number of fields over its limit), or
  // 503 (the budget for content in flight is spent), to send before
  // closing.
  std::optional<HttpResponse>& refusal() { return refusal_; }
  // The header is complete and asks for "100 Continue" before the body.
  bool expects_continue() const;
  unsigned version() const { return parser_.get().version(); }
  bool keep_alive() const { return parser_.get().keep_alive(); }

  // The request read. Only once done(); leaves the reader empty. The
  // body's charge stays with the reader: keep it until the request is
  // answered.
  HttpRequest take(std::string remote_address, bool remote_is_loopback);

 private:
  // One parse of what `input` holds; a parse error becomes the refusal.
  std::size_t put(std::string_view input);
  // The 431 for a complete header whose fields break a limit, or nullopt.
  std::optional<HttpResponse> check_fields() const;
  // Charges the body to the budget; false (and the 503) when it is spent.
  bool charge_body();

  boost::beast::http::request_parser<AppendingStringBody> parser_;
  std::size_t max_header_bytes_;
  std::size_t max_field_bytes_;
  std::size_t max_fields_;
  std::size_t header_bytes_ = 0;  // used before the header was complete
  bool header_checked_ = false;
  InflightCharge charge_;
  std::optional<HttpResponse> refusal_;
};

}  // namespace postern::net::detail
