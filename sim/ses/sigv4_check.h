// Server side of SigV4 (AWS Signature Version 4): parses the Authorization header,
// checks the access key, the credential scope and the clock, and recomputes
// the signature with the configured secret through the simulator's own
// verifier (sigv4_verify.h), written apart from Postern's client signer so
// that a signer bug cannot pass on both sides.
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "net/http_message.h"

namespace postern::sim {

struct SesCredentials {
  std::string access_key_id = "AKIDSIMULATOR";
  std::string secret_access_key = "sim-secret-access-key";
  std::string region = "us-east-1";
};

// Why a request's signature was refused: AWS's status, error type
// (x-amzn-ErrorType) and message.
struct SigV4Refusal {
  int status = 403;
  std::string type;
  std::string message;
};

// AWS refuses requests signed more than 15 minutes away from its clock.
inline constexpr std::chrono::minutes kMaxClockSkew{15};

// nullopt when `request` is signed by `credentials` for service "ses" in
// their region, within kMaxClockSkew of `now`.
std::optional<SigV4Refusal> check_sigv4(const net::HttpRequest& request,
                                        const SesCredentials& credentials, SystemTime now);

}  // namespace postern::sim
