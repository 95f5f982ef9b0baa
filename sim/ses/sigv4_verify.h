// AWS Signature Version 4 as the receiving side recomputes it, written from
// the AWS documentation (https://docs.aws.amazon.com/IAM/latest/UserGuide/
// reference_sigv-create-signed-request.html) and checked against its test
// suite (tests/unit/providers/data/sigv4-vectors.json), apart from
// Postern's client signer (providers/ses/sigv4.h): a signer bug must not
// pass because the simulator shares it. SHA-256 and HMAC come straight
// from OpenSSL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/http_message.h"

namespace postern::sim::sigv4 {

// The credential scope: "<date>/<region>/<service>/aws4_request".
struct Scope {
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
};

// The canonical request of `request` as received (path and query as sent,
// percent-encoded or not), over the headers named in `signed_headers`
// (lower-case, as in the Authorization's SignedHeaders):
//   method, canonical URI (decoded, dot segments and empty segments
//   removed, then every byte but A-Za-z0-9-._~ and '/' encoded as %XX),
//   canonical query (names and values decoded and encoded again, sorted),
//   "name:value" lines (values of one name joined with ',' in request
//   order, each trimmed and its runs of spaces and tabs made one space),
//   a blank line, the signed header names sorted and joined with ';', and
//   the hex SHA-256 of the body.
std::string canonical_request(const net::HttpRequest& request,
                              std::vector<std::string> signed_headers);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical_request)>".
std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request);

// kSigning, 32 raw bytes: HMAC chained over "AWS4"+secret, date, region,
// service and "aws4_request".
std::string signing_key(std::string_view secret, const Scope& scope);

// Lower-case hex of HMAC-SHA256(signing_key, string_to_sign).
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

}  // namespace postern::sim::sigv4
