#include "sim/ses/sigv4_verify.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/algorithm/hex.hpp>
#include <iterator>
#include <utility>

#include "core/ascii.h"

namespace postern::sim::sigv4 {

namespace {

std::string lower_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  boost::algorithm::hex_lower(bytes.begin(), bytes.end(), std::back_inserter(out));
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return lower_hex({reinterpret_cast<const char*>(digest), size});
}

std::string hmac(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  return {reinterpret_cast<const char*>(digest), size};
}

// Undoes %XX escapes as a server reads a request's path and query before
// canonicalising them; a '%' without two hex digits stays as it is.
// Written here rather than taken from core/percent.h, which the client's
// signer uses: the verifier shares no code with what it checks.
std::string uri_decode(std::string_view text) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    int high = text[i] == '%' && i + 2 < text.size() ? digit(text[i + 1]) : -1;
    int low = high >= 0 ? digit(text[i + 2]) : -1;
    if (low < 0) {
      out += text[i];
      continue;
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// The docs' UriEncode: every byte but the unreserved characters of
// RFC 3986 §2.3 as %XX with upper-case hex digits.
std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr std::string_view kUpperHex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += c;
      continue;
    }
    auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kUpperHex[byte >> 4];
    out += kUpperHex[byte & 15];
  }
  return out;
}

// RFC 3986 §5.2.4 on an absolute path, with the empty segments of "//"
// dropped too, as AWS normalises paths for every service but S3.
std::string normalized_path(std::string_view path) {
  std::vector<std::string_view> kept;
  bool trailing_slash = false;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto segment = path.substr(0, slash);
    trailing_slash = slash != std::string_view::npos;
    path = trailing_slash ? path.substr(slash + 1) : std::string_view();
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (!segment.empty() && segment != ".") {
      kept.push_back(segment);
    }
  }
  std::string out;
  for (auto segment : kept) out.append("/").append(segment);
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (param.empty()) continue;
    auto eq = param.find('=');
    auto value = eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
    params.emplace_back(uri_encode(uri_decode(param.substr(0, eq)), false),
                        uri_encode(uri_decode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out.append(name).append("=").append(value);
  }
  return out;
}

// Trimmed, runs of spaces and tabs made one space.
std::string header_value(std::string_view value) {
  std::string out;
  bool blank = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      blank = true;
      continue;
    }
    if (blank && !out.empty()) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string canonical_request(const net::HttpRequest& request,
                              std::vector<std::string> signed_headers) {
  std::sort(signed_headers.begin(), signed_headers.end());
  std::string headers, names;
  for (const auto& name : signed_headers) {
    std::string joined;
    bool first = true;
    for (const auto& [field, value] : request.headers) {
      if (ascii_lowered(field) != name) continue;
      if (!first) joined += ',';
      joined += header_value(value);
      first = false;
    }
    headers.append(name).append(":").append(joined).append("\n");
    names.append(names.empty() ? "" : ";").append(name);
  }
  return request.method + '\n' + uri_encode(normalized_path(uri_decode(request.path)), true) +
         '\n' + canonical_query(request.query) + '\n' + headers + '\n' + names + '\n' +
         sha256_hex(request.body);
}

std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + '\n' + scope.date + '/' + scope.region +
         '/' + scope.service + "/aws4_request\n" + sha256_hex(canonical_request);
}

std::string signing_key(std::string_view secret, const Scope& scope) {
  auto key = hmac("AWS4" + std::string(secret), scope.date);
  key = hmac(key, scope.region);
  key = hmac(key, scope.service);
  return hmac(key, "aws4_request");
}

std::string signature(std::string_view signing_key, std::string_view string_to_sign) {
  return lower_hex(hmac(signing_key, string_to_sign));
}

}  // namespace postern::sim::sigv4
