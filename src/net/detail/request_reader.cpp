#include "net/detail/request_reader.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

namespace postern::net::detail {

namespace http = boost::beast::http;

namespace {

HttpResponse error_response(int status, std::string_view code, std::string message,
                            std::string_view field = "") {
  HttpResponse r;
  r.status = status;
  r.body = json_error_body(code, message, field);
  r.close = true;
  return r;
}

HttpResponse parse_error_response(const boost::system::error_code& ec) {
  if (ec == http::error::header_limit)
    return error_response(431, "header_too_large", "the request header is too large");
  if (ec == http::error::body_limit)
    return error_response(413, "payload_too_large", "the request body exceeds the limit");
  return error_response(400, "bad_request", "malformed HTTP request: " + ec.message());
}

}  // namespace

RequestReader::RequestReader(const RequestLimits& limits)
    : max_header_bytes_(limits.max_header_bytes),
      max_field_bytes_(limits.max_field_bytes),
      max_fields_(limits.max_fields),
      charge_(limits.budget) {
  parser_.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser_.body_limit(limits.max_body_bytes);
  // Stop after the header, so that its size is known (see feed()); the body
  // is then parsed as it comes rather than when the caller asks.
  parser_.eager(false);
}

std::size_t RequestReader::put(std::string_view input) {
  boost::system::error_code ec;
  auto used = parser_.put(boost::asio::const_buffer(input.data(), input.size()), ec);
  if (ec && ec != http::error::need_more) refusal_ = parse_error_response(ec);
  return used;
}

std::size_t RequestReader::feed(std::string_view input) {
  if (done() || refusal_ || input.empty()) return 0;
  auto used = put(input);
  if (header_checked_ || refusal_) {
    if (!refusal_) charge_body();
    return used;
  }
  header_bytes_ += used;
  if (!parser_.is_header_done()) return used;
  header_checked_ = true;
  // Beast holds its header limit against what one parse was offered, so a
  // header a little over the limit passed when it arrived in one read and
  // was refused when it came in pieces. The whole header is counted here.
  if (header_bytes_ > max_header_bytes_) {
    refusal_ = parse_error_response(http::error::header_limit);
    return used;
  }
  if ((refusal_ = check_fields())) return used;
  if (!charge_body()) return used;
  parser_.eager(true);
  if (used < input.size() && !done()) used += put(input.substr(used));
  if (!refusal_) charge_body();
  return used;
}

bool RequestReader::charge_body() {
  if (!charge_.budget()) return true;
  // The whole declared body at once, so that a request that cannot fit is
  // refused before it is sent (with Expect: 100-continue) or read.
  auto length = parser_.content_length();
  auto bytes = length ? *length : parser_.get().body().size();
  if (charge_.try_cover(bytes)) return true;
  charge_.budget()->count_refusal("http");
  auto r = error_response(503, "inflight_budget_exhausted",
                          "the server holds as much message content as limits.inflight_bytes "
                          "allows; retry later");
  // Content in flight is stored or sent within seconds.
  r.headers.emplace_back("Retry-After", "2");
  refusal_ = std::move(r);
  return false;
}

std::optional<HttpResponse> RequestReader::check_fields() const {
  // Beast keeps a field's name and value apart; the line they came on is
  // counted as "name: value" (padding around the value counts towards the
  // whole header's limit only).
  std::size_t fields = 0;
  for (const auto& f : parser_.get()) {
    if (++fields > max_fields_) {
      return error_response(431, "too_many_header_fields",
                            "the request has more than " + std::to_string(max_fields_) +
                                " header fields (http.max_header_fields)");
    }
    if (f.name_string().size() + 2 + f.value().size() > max_field_bytes_) {
      return error_response(431, "header_field_too_large",
                            "a header field is longer than " + std::to_string(max_field_bytes_) +
                                " bytes (http.max_header_field_bytes)",
                            f.name_string().substr(0, 64));
    }
  }
  return std::nullopt;
}

bool RequestReader::expects_continue() const {
  return parser_.is_header_done() && parser_.get()[http::field::expect] == "100-continue";
}

HttpRequest RequestReader::take(std::string remote_address, bool remote_is_loopback) {
  auto req = parser_.release();
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  auto q = out.target.find('?');
  out.path = out.target.substr(0, q);
  if (q != std::string::npos) out.query = out.target.substr(q + 1);
  out.headers.reserve(8);
  for (const auto& field : req)
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(req.body());
  out.remote_address = std::move(remote_address);
  out.remote_is_loopback = remote_is_loopback;
  return out;
}

}  // namespace postern::net::detail
