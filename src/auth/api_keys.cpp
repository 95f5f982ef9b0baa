#include "auth/api_keys.h"

#include "auth/credentials.h"

namespace postern::auth {

Result<NewApiKey, Problem> make_api_key(std::string name, Scopes scopes, std::int64_t catch_account,
                                        SystemTime now) {
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
  return out;
}

std::string account_key_name(std::string_view user) { return std::string(user) + ".key"; }

}  // namespace postern::auth
