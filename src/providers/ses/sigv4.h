// AWS Signature Version 4 for header-based signing (the botocore
// SigV4Auth algorithm), used for every SES v2 call. Pure functions:
// tested against every vector of tests/unit/providers/data/sigv4-vectors.json.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace postern::providers::ses {

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; then signed as X-Amz-Security-Token
};

struct SigV4Scope {
  std::string region;   // "us-east-1"
  std::string service;  // "ses" (the signing name; the host says "email")
};

// The request as it will go on the wire. Header values as written (they are
// trimmed for signing only).
struct SigV4Request {
  std::string method;
  std::string path;   // not yet encoded, e.g. "/v2/email/outbound-emails"
  std::string query;  // raw query string without '?', may be partly encoded
  std::vector<std::pair<std::string, std::string>> headers;  // must include Host
  std::string_view body;
};

struct SigV4Options {
  // Adds and signs x-amz-content-sha256 (S3 requires it; SES does not).
  bool add_content_sha256 = false;
};

struct SigV4Result {
  std::vector<std::pair<std::string, std::string>>
      added_headers;  // also appended to request.headers
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // 64 lower-case hex characters
  std::string authorization;  // the Authorization header value
};

// Signs `request` at `time`. Before computing, adds the headers the signer
// owns when absent: X-Amz-Date, X-Amz-Security-Token (with a session token)
// and x-amz-content-sha256 (when asked). The caller then adds
// "Authorization: <result.authorization>" and must send every signed header
// unchanged (headers botocore never signs, e.g. User-Agent, may be added).
SigV4Result sign_v4(SigV4Request& request, const SigV4Credentials& credentials,
                    const SigV4Scope& scope, SystemTime time, const SigV4Options& options = {});

// The parts, exposed for tests and diagnostics.
std::string sigv4_amz_date(SystemTime time);             // "20150830T123600Z"
std::string sigv4_canonical_uri(std::string_view path);  // dot segments removed, percent-encoded
std::string sigv4_canonical_query(std::string_view query);
// kSigning, raw 32 bytes.
std::string sigv4_signing_key(std::string_view secret, std::string_view date,
                              std::string_view region, std::string_view service);

}  // namespace postern::providers::ses
