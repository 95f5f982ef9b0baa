#include "auth/api_keys.h"

#include "auth/credentials.h"

namespace postern::auth {

Result<NewApiKey, Problem> make_api_key(std::string name, Scopes scopes, std::int64_t catch_account,
                                        SystemTime now,
                                        std::optional<std::chrono::milliseconds> expires_in) {
  if (expires_in && expires_in->count() <= 0) return Problem{"the expiry must be in the future"};
  Scopes send_only;
  send_only.add(Scope::send);
  if (catch_account != 0 && scopes != send_only)
    return Problem{"a key bound to a test account has the send scope only"};
  NewApiKey out;
  out.secret = generate_api_secret();
  out.stored.key.name = std::move(name);
  out.stored.key.scopes = scopes.names();
  out.stored.key.created_at = now;
  out.stored.key.catch_account = catch_account;
  out.stored.secret_hash = hash_api_secret(out.secret);
  if (expires_in) out.stored.key.expires_at = now + *expires_in;
  return out;
}

Result<RotatedKey, Problem> rotate_api_key(SystemTime now, std::chrono::milliseconds grace) {
  if (grace.count() < 0 || grace > kMaxRotationGrace)
    return Problem{"the grace period must be between 0 and 30 days"};
  RotatedKey out;
  out.secret = generate_api_secret();
  out.secret_hash = hash_api_secret(out.secret);
  out.previous_valid_until = now + grace;
  return out;
}

std::string account_key_name(std::string_view user) { return std::string(user) + ".key"; }

}  // namespace postern::auth
