// Who is calling: API keys (HTTP Bearer, or SMTP AUTH with the key's name and
// secret), SMTP users, and the loopback rule (with no key at all, loopback
// callers are trusted, as a local mail catcher should be).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/account_logins.h"
#include "core/clock.h"
#include "core/error.h"
#include "store/store.h"

namespace postern::auth {

// heartbeat: only POST /v1/providers/{name}/heartbeat, for the key a relay
// beats with, which then cannot manage keys, providers or routing.
enum class Scope : std::uint8_t { send = 1, read = 2, admin = 4, heartbeat = 8 };

// Every scope with its name, in the order names are listed: the one place
// a new scope is added.
struct ScopeName {
  Scope scope;
  std::string_view name;
};
inline constexpr ScopeName kScopeNames[] = {{Scope::send, "send"},
                                            {Scope::read, "read"},
                                            {Scope::admin, "admin"},
                                            {Scope::heartbeat, "heartbeat"}};

std::string_view to_string(Scope s);
// "send, read, admin, heartbeat": for help texts and errors.
std::string scope_list();

class Scopes {
 public:
  constexpr Scopes() = default;
  static constexpr Scopes all() {
    std::uint8_t bits = 0;
    for (const auto& s : kScopeNames) bits |= static_cast<std::uint8_t>(s.scope);
    return Scopes(bits);
  }
  bool has(Scope s) const { return (bits_ & static_cast<std::uint8_t>(s)) != 0; }
  // Whether these scopes allow what needs `needed`. A scope grants only
  // what it names, except that admin grants heartbeats too: they needed
  // admin before the heartbeat scope existed, and relays beating with such
  // keys keep working.
  bool grants(Scope needed) const {
    return has(needed) || (needed == Scope::heartbeat && has(Scope::admin));
  }
  void add(Scope s) { bits_ |= static_cast<std::uint8_t>(s); }
  std::vector<std::string> names() const;
  bool operator==(const Scopes&) const = default;

 private:
  constexpr explicit Scopes(std::uint8_t bits) : bits_(bits) {}
  std::uint8_t bits_ = 0;
};

// Names from kScopeNames; an unknown name is an error.
Result<Scopes, Problem> parse_scopes(const std::vector<std::string>& names);

struct Principal {
  // client_certificate: an HTTPS client whose certificate http.tls_client_ca
  // signed; it may only send heartbeats, for the provider its CN names.
  enum class Kind { api_key, smtp_user, loopback, test_account, client_certificate };
  Kind kind = Kind::api_key;
  std::string name;  // key or user name, certificate CN; "loopback" for trusted callers
  Scopes scopes;
  // The test account (store::AccountId) whose mail this caller sends: it
  // is caught into that account's INBOX, never relayed. 0 for others.
  std::int64_t catch_account = 0;
};

// What an API key secret is worth at this moment.
struct KeyCheck {
  enum class Status { valid, unknown, expired };
  Status status = Status::unknown;
  Principal principal;  // when valid; its name also when expired
};

class Authenticator {
 public:
  // Keys and users are read from the store and cached for `refresh`; a
  // secret not in the cache forces an early refresh (rate-limited), so a key
  // created by `postern keys create` in another process works at once.
  Authenticator(store::Store& store, const Clock& clock,
                std::chrono::milliseconds refresh = std::chrono::seconds(2));

  // The principal of an API key secret, or nullopt. A key bound to a test
  // account (store::ApiKey::catch_account) gives the send scope alone and
  // Principal::catch_account. A key past its expiry, or a previous secret
  // past its rotation's grace period, is refused (check_key tells which).
  std::optional<Principal> authenticate_key(std::string_view secret);
  // The same, saying whether a refused secret is unknown or expired.
  KeyCheck check_key(std::string_view secret);

  // The last use of each key since the previous call, for
  // store::Store::record_api_key_use: uses are noted in memory (a map
  // entry per key, not a write per request) and flushed by the server
  // every few seconds (auth/key_use_flusher.h).
  std::vector<store::ApiKeyUse> take_key_uses();

  // SMTP AUTH: an API key (user = key name, password = secret), an SMTP
  // user, or a test account when accept_test_accounts() was called, in
  // that order (Argon2id; slow by design, call it off the I/O threads when
  // many logins are expected). nullopt when the credentials do not match.
  std::optional<Principal> authenticate_login(std::string_view user, std::string_view password);

  // Test accounts may log in to SMTP, checked by `logins` (which must
  // outlive the authenticator): a test account's principal has the send
  // scope only, and its mail is caught for it (Principal::catch_account).
  // Set before the listeners start.
  void accept_test_accounts(AccountLogins& logins) { test_accounts_ = &logins; }

  // True while no API key exists, leaving out keys bound to a test account
  // (they only catch mail): loopback callers are then trusted. Asks
  // the store each time while it answers yes, so the first key created (by
  // any process) closes the door for the very next request. The store's
  // error when it cannot answer (a database away): neither yes, which
  // would open the door, nor no, which would tell a caller it needs a key.
  Result<bool> open_to_loopback();

  // Drops the cache: the next check reads the store. Called after this
  // process changed keys or users; other processes' changes are seen within
  // the refresh period (or at once for a secret never seen before).
  void invalidate();

 private:
  // A secret's hash as the snapshot knows it: its key, and until when it
  // works (the key's expiry, or the end of a rotation's grace period).
  struct KeyEntry {
    Principal principal;
    SystemTime valid_until = SystemTime::max();
  };
  struct Snapshot {
    std::map<std::string, KeyEntry, std::less<>> keys_by_hash;
    // A key's current hash and, during a rotation's grace period, its
    // previous one.
    std::map<std::string, std::vector<std::string>, std::less<>> key_hashes_by_name;
    // Secrets already verified against this snapshot: a hash lookup instead
    // of a SHA-256 per request. Dropped with the snapshot on every refresh.
    std::unordered_map<std::string, KeyEntry> verified;
    std::map<std::string, store::SmtpUser, std::less<>> users;
    bool closes_loopback = false;  // a key not bound to a test account exists
    SystemTime loaded_at{};
    SystemTime forced_at{};
  };
  void refresh_locked(bool force);
  void add_key_locked(Snapshot& snapshot, const store::StoredApiKey& key);
  // Judges `entry` at `now`, noting the use of a valid key.
  KeyCheck judge_locked(const KeyEntry& entry, SystemTime now);
  // One Argon2id verification against a hash of nothing: what a failed
  // login costs whatever failed, so that the time of an answer does not
  // tell an unknown user from a wrong password.
  void spend_like_a_password_check(std::string_view password);
  // The principal of a test account's credentials (test_accounts_), or
  // nullopt.
  std::optional<Principal> test_account(std::string_view user, std::string_view password);

  store::Store& store_;
  AccountLogins* test_accounts_ = nullptr;
  const Clock& clock_;
  std::chrono::milliseconds refresh_;
  std::mutex mu_;
  Snapshot snapshot_;                                 // guarded by mu_
  std::unordered_map<std::string, SystemTime> uses_;  // guarded by mu_
  std::once_flag dummy_once_;
  std::string dummy_hash_;  // set once by spend_like_a_password_check
};

}  // namespace postern::auth
