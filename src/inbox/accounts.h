// Throwaway test accounts (docs/inbox.md, Accounts): created in one call
// with a generated user name and a random password shown once, listed,
// looked up and deleted; and the login check every protocol server of the
// test inbox (SMTP AUTH, IMAP LOGIN, POP3 PASS) asks.
//
// Passwords are kept as Argon2id hashes (auth::hash_password), which cost
// about a tenth of a second to check by design. A mail client opens many
// connections with the same credentials (50 IMAP sessions at once in the
// tests), so verified credentials are remembered for a short while, keyed
// by a keyed hash of the password (never the password itself) and the
// stored hash they were checked against; and concurrent checks of the same
// credentials share one Argon2id run. The account is read from the store on
// every login all the same (a cheap indexed read), so an account deleted or
// expired by any process cannot log in, cache or not.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/account_logins.h"
#include "auth/credentials.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/field_error.h"
#include "inbox/inbox_config.h"
#include "store/inbox_store.h"

namespace postern::inbox {

// What a caller may ask of a new account, as written (HTTP body, CLI
// options): a duration ("3d", "3600" seconds) and a size ("10MiB", bytes).
struct AccountRequest {
  std::optional<std::string> retention;
  std::optional<std::string> quota;
};

// A new account's terms, checked against the node's: retention from 1
// minute to inbox.retention, quota from 1 byte to inbox.quota (any size when
// the node has no quota). What is not asked for is the node's.
struct AccountTerms {
  std::chrono::seconds retention{0};
  std::uint64_t quota_bytes = 0;
};

struct CreatedAccount {
  store::InboxAccount account;
  std::string password;  // shown once; only its hash is stored
};

struct LoginCacheOptions {
  // How long a verified password is taken without Argon2id. Short: a
  // password is never changed, but a cache entry is memory an attacker
  // with valid credentials cannot grow (max_entries bounds it).
  std::chrono::seconds ttl{60};
  std::size_t max_entries = 4096;
  // A login records the account's use (it does not expire while used) at
  // most this often, so that a client that logs in every few seconds makes
  // no write each time.
  std::chrono::seconds touch_interval{60};
  // The Argon2id check; tests count its calls.
  bool (*verify_password)(std::string_view hash, std::string_view password) = auth::verify_password;
};

class AccountService final : public auth::AccountLogins {
 public:
  AccountService(store::InboxStore& store, const Clock& clock, InboxOptions options,
                 LoginCacheOptions cache = {});
  // Waits for the creations under way; destroy it before the store.
  ~AccountService();
  AccountService(const AccountService&) = delete;
  AccountService& operator=(const AccountService&) = delete;

  const InboxOptions& options() const { return options_; }

  // Parses and bounds a request. The error names the field ("retention",
  // "quota") with code invalid_value.
  Result<AccountTerms, FieldError> terms(const AccountRequest& request) const;

  // Creates an account under a free generated name with a new password.
  // Returns at once: the work (Argon2id, about 0.1 s and 64 MiB) runs on
  // the service's one thread, so that an HTTP I/O thread never waits for it
  // and concurrent creations never hold more than one hash's memory. `done`
  // runs on that thread or the store's writer. Errors: conflict when no
  // free name was found (or a racing creation took it), internal when
  // hashing fails, the store's errors.
  void create(AccountTerms terms, store::Completion<CreatedAccount> done);

  // not_found for an unknown user.
  Result<store::InboxAccount> get(const std::string& user);
  // Newest first: `limit` accounts with ids below `before` (0: the newest).
  Result<std::vector<store::InboxAccount>> list(store::AccountId before, std::size_t limit);
  // Deletes the account and its mail. not_found for an unknown user.
  void remove(const std::string& user, store::Completion<void> done);

  // The account whose user name (or address: Nodemailer logs in with the
  // address, as Ethereal's `user` is) and password these are, and records
  // its use. Blocks for an Argon2id check on a cache miss: call it off the
  // I/O threads. not_found when they do not match (no such account, or the
  // wrong password: the caller cannot tell which), else the store's error.
  Result<store::InboxAccount> verify_login(std::string_view user,
                                           std::string_view password) override;
  // The same on the service's thread, for callers on I/O threads (HTTP
  // Basic authentication of the inbox's read API); `done` runs there.
  void verify_login_async(std::string user, std::string password,
                          store::Completion<store::InboxAccount> done);

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Verified {
    std::string password_hash;  // the stored hash the password was checked against
    Digest digest{};            // keyed BLAKE2b of the password
    SteadyTime at{};
  };

  struct Worker;  // Asio's thread pool, kept out of this header

  void create_now(const AccountTerms& terms, store::Completion<CreatedAccount> done);
  Result<store::InboxAccount> find_login(std::string_view user);
  Result<std::string> free_user_name();
  Digest digest_of(std::string_view password) const;
  bool cached_locked(const store::InboxAccount& account, const Digest& digest);
  bool check_password(const store::InboxAccount& account, std::string_view password,
                      const Digest& digest);
  void remember_locked(const store::InboxAccount& account, const Digest& digest);
  void record_use(const store::InboxAccount& account);

  store::InboxStore& store_;
  const Clock& clock_;
  InboxOptions options_;
  LoginCacheOptions cache_options_;
  std::array<unsigned char, 32> digest_key_{};  // random per process

  // Checked for an unknown user, so that it costs as much time as a wrong
  // password and names cannot be probed by timing; made at the first such
  // login, not at start.
  const std::string& decoy_hash();
  std::once_flag decoy_once_;
  std::string decoy_hash_;

  std::mutex mu_;
  std::unordered_map<std::string, Verified> verified_;  // by user name; guarded by mu_
  // Argon2id checks under way, by user, stored hash and digest: later
  // callers with the same credentials wait for the first one's answer.
  std::map<std::string, std::shared_future<bool>> checking_;  // guarded by mu_
  std::unordered_map<store::AccountId, SystemTime> touched_;  // guarded by mu_
  std::unique_ptr<Worker> worker_;  // last: joined first, while the rest still stands
};

}  // namespace postern::inbox
