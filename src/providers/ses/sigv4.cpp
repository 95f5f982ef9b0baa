#include "providers/ses/sigv4.h"

#include <algorithm>
#include <map>

#include "core/ascii.h"
#include "core/hex.h"
#include "core/percent.h"
#include "core/sha256.h"
#include "core/time_format.h"

namespace postern::providers::ses {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

// A query parameter's name or value as SigV4 signs it: decoded, then
// encoded again with only the unreserved characters left as they are. One
// with a malformed escape is taken as written (its '%' becomes "%25").
std::string canonical_query_part(std::string_view part) {
  auto decoded = percent_decode(part);
  return percent_encode(decoded ? std::string_view(*decoded) : part);
}

// botocore remove_dot_segments: RFC 3986 §5.2.4, and consecutive slashes
// collapsed, which AWS requires of non-S3 services.
std::string normalize_path(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out = path.front() == '/' ? "/" : "";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  if (path.back() == '/' && !segments.empty()) out += '/';
  return out;
}

// Trimmed, with runs of spaces and tabs collapsed to one space (also inside
// quotes: see the get-header-value-trim vector).
std::string canonical_value(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// Headers botocore never signs: hop-by-hop ones, and those proxies or
// clients may rewrite.
bool never_signed(const std::string& lower_name) {
  static const std::vector<std::string_view> kSkip = {"connection",
                                                      "expect",
                                                      "keep-alive",
                                                      "proxy-authenticate",
                                                      "proxy-authorization",
                                                      "te",
                                                      "trailer",
                                                      "transfer-encoding",
                                                      "upgrade",
                                                      "user-agent",
                                                      "x-amzn-trace-id",
                                                      "authorization"};
  return std::find(kSkip.begin(), kSkip.end(), lower_name) != kSkip.end();
}

bool has_header(const SigV4Request& r, std::string_view name) {
  return std::any_of(r.headers.begin(), r.headers.end(),
                     [&](const auto& h) { return ascii_iequals(h.first, name); });
}

}  // namespace

std::string sigv4_amz_date(SystemTime time) { return format_utc(time, "%Y%m%dT%H%M%SZ"); }

std::string sigv4_canonical_uri(std::string_view path) {
  return percent_encode_path(normalize_path(path));
}

std::string sigv4_canonical_query(std::string_view query) {
  if (query.empty()) return "";
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    auto pair = query.substr(start, end - start);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      auto name = pair.substr(0, eq);
      auto value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      params.emplace_back(canonical_query_part(name), canonical_query_part(value));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

std::string sigv4_signing_key(std::string_view secret, std::string_view date,
                              std::string_view region, std::string_view service) {
  auto k_date = hmac_sha256("AWS4" + std::string(secret), date);
  auto k_region = hmac_sha256(k_date, region);
  auto k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

SigV4Result sign_v4(SigV4Request& request, const SigV4Credentials& credentials,
                    const SigV4Scope& scope, SystemTime time, const SigV4Options& options) {
  SigV4Result result;
  const std::string amz_date = sigv4_amz_date(time);
  const std::string date = amz_date.substr(0, 8);
  const std::string payload_hash = sha256_hex(request.body);
  if (!has_header(request, "X-Amz-Date")) result.added_headers.emplace_back("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty() && !has_header(request, "X-Amz-Security-Token")) {
    result.added_headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (options.add_content_sha256 && !has_header(request, "x-amz-content-sha256")) {
    result.added_headers.emplace_back("x-amz-content-sha256", payload_hash);
  }
  request.headers.insert(request.headers.end(), result.added_headers.begin(),
                         result.added_headers.end());

  // Values of a repeated header join with ',' in request order.
  std::map<std::string, std::string> canonical;
  for (const auto& [name, value] : request.headers) {
    auto key = ascii_lowered(name);
    if (never_signed(key)) continue;
    auto [it, inserted] = canonical.try_emplace(key, canonical_value(value));
    if (!inserted) it->second += "," + canonical_value(value);
  }
  std::string header_lines, signed_headers;
  for (const auto& [name, value] : canonical) {
    header_lines += name + ":" + value + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }

  result.canonical_request = request.method + "\n" + sigv4_canonical_uri(request.path) + "\n" +
                             sigv4_canonical_query(request.query) + "\n" + header_lines + "\n" +
                             signed_headers + "\n" + payload_hash;
  const std::string credential_scope =
      date + "/" + scope.region + "/" + scope.service + "/aws4_request";
  result.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + credential_scope +
                          "\n" + sha256_hex(result.canonical_request);
  auto key = sigv4_signing_key(credentials.secret_access_key, date, scope.region, scope.service);
  result.signature = to_hex(hmac_sha256(key, result.string_to_sign));
  result.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                         "/" + credential_scope + ", SignedHeaders=" + signed_headers +
                         ", Signature=" + result.signature;
  return result;
}

}  // namespace postern::providers::ses
