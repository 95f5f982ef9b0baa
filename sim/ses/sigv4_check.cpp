#include "sim/ses/sigv4_check.h"

#include <cctype>
#include <ctime>
#include <vector>

#include "core/header_value.h"
#include "core/time_format.h"
#include "sim/ses/sigv4_verify.h"

namespace postern::sim {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

struct Authorization {
  std::string access_key_id, date, region, service, terminator;
  std::vector<std::string> signed_headers;
  std::string signature;
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ses/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<hex>".
std::optional<Authorization> parse_authorization(std::string_view header, std::string& why) {
  header = trim_blanks(header);
  if (!header.starts_with(kAlgorithm) || header.size() == kAlgorithm.size() ||
      header[kAlgorithm.size()] != ' ') {
    why =
        "Unsupported AWS 'algorithm': the Authorization header must start with 'AWS4-HMAC-SHA256 "
        "'.";
    return std::nullopt;
  }
  Authorization out;
  bool credential = false, signed_headers = false, signature = false;
  for (auto part : split(header.substr(kAlgorithm.size() + 1), ',')) {
    part = trim_blanks(part);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    auto key = part.substr(0, eq);
    auto value = part.substr(eq + 1);
    if (key == "Credential") {
      auto scope = split(value, '/');
      if (scope.size() != 5) {
        why = "Credential should have 5 parts (access key id/date/region/service/aws4_request).";
        return std::nullopt;
      }
      out.access_key_id = scope[0];
      out.date = scope[1];
      out.region = scope[2];
      out.service = scope[3];
      out.terminator = scope[4];
      credential = true;
    } else if (key == "SignedHeaders") {
      for (auto h : split(value, ';')) out.signed_headers.emplace_back(h);
      signed_headers = true;
    } else if (key == "Signature") {
      out.signature = std::string(value);
      signature = true;
    }
  }
  if (!credential || !signed_headers || !signature) {
    why = "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.";
    return std::nullopt;
  }
  return out;
}

// "20150830T123600Z" to a time point; nullopt if malformed.
std::optional<SystemTime> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (std::size_t i = 0; i < 15; ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  auto num = [&](std::size_t at, std::size_t n) { return std::stoi(std::string(s.substr(at, n))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string amz_date_of(SystemTime t) { return format_utc(t, "%Y%m%dT%H%M%SZ"); }

SigV4Refusal refuse(std::string type, std::string message) {
  return {403, std::move(type), std::move(message)};
}

}  // namespace

std::optional<SigV4Refusal> check_sigv4(const net::HttpRequest& request,
                                        const SesCredentials& credentials, SystemTime now) {
  auto header = request.header("Authorization");
  if (header.empty())
    return refuse("MissingAuthenticationTokenException", "Missing Authentication Token");
  std::string why;
  auto auth = parse_authorization(header, why);
  if (!auth) return refuse("IncompleteSignature", why);
  if (auth->access_key_id != credentials.access_key_id) {
    return refuse("UnrecognizedClientException",
                  "The security token included in the request is invalid.");
  }
  if (auth->region != credentials.region) {
    return refuse("SignatureDoesNotMatch", "Credential should be scoped to a valid region. ");
  }
  if (auth->service != "ses") {
    return refuse("SignatureDoesNotMatch",
                  "Credential should be scoped to correct service: 'ses'. ");
  }
  if (auth->terminator != "aws4_request") {
    return refuse("SignatureDoesNotMatch",
                  "Credential should be scoped with a valid terminator: 'aws4_request'. ");
  }
  auto amz_date = request.header("X-Amz-Date");
  auto signed_at = parse_amz_date(amz_date);
  if (!signed_at) {
    return refuse(
        "IncompleteSignature",
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (amz_date.substr(0, 8) != auth->date) {
    return refuse("SignatureDoesNotMatch",
                  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                  "of date from HTTP: '" +
                      auth->date + "' != '" + std::string(amz_date.substr(0, 8)) + "', from '" +
                      std::string(amz_date) + "'.");
  }
  if (*signed_at < now - kMaxClockSkew || *signed_at > now + kMaxClockSkew) {
    auto now_text = amz_date_of(now);
    bool early = *signed_at < now;
    auto bound = amz_date_of(early ? now - kMaxClockSkew : now + kMaxClockSkew);
    return refuse("InvalidSignatureException",
                  "Signature " + std::string(early ? "expired" : "not yet current") + ": " +
                      std::string(amz_date) + " is now " + (early ? "earlier" : "later") +
                      " than " + bound + " (" + now_text + (early ? " - " : " + ") + "15 min.)");
  }

  // Recompute over exactly the headers the client says it signed.
  sigv4::Scope scope{auth->date, credentials.region, "ses"};
  auto canonical = sigv4::canonical_request(request, auth->signed_headers);
  auto expected = sigv4::signature(sigv4::signing_key(credentials.secret_access_key, scope),
                                   sigv4::string_to_sign(amz_date, scope, canonical));
  if (expected != auth->signature) {
    return refuse(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your "
        "AWS "
        "Secret Access Key and signing method. Consult the service documentation for details.");
  }
  return std::nullopt;
}

}  // namespace postern::sim
