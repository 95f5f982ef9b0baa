#include "inbox/accounts.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "auth/credentials.h"
#include "core/ascii.h"
#include "core/config_values.h"
#include "inbox/generated_credentials.h"

namespace postern::inbox {
namespace {

// Tries before giving up on finding a free name. With 41 million names a
// second try is already rare until millions of accounts exist.
constexpr int kNameAttempts = 16;
constexpr std::chrono::seconds kMinRetention{60};

FieldError invalid(std::string field, std::string message) {
  return FieldError{"invalid_value", std::move(message), std::move(field)};
}

}  // namespace

struct AccountService::Worker {
  boost::asio::thread_pool pool{1};
};

AccountService::AccountService(store::InboxStore& store, const Clock& clock, InboxOptions options,
                               LoginCacheOptions cache)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      cache_options_(cache),
      worker_(std::make_unique<Worker>()) {
  randombytes_buf(digest_key_.data(), digest_key_.size());
}

AccountService::~AccountService() { worker_->pool.join(); }

Result<AccountTerms, FieldError> AccountService::terms(const AccountRequest& request) const {
  AccountTerms t{options_.retention, options_.quota_bytes};
  if (request.retention) {
    auto d = parse_duration(*request.retention);
    if (!d) return invalid("retention", d.error().message);
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(*d);
    if (seconds < kMinRetention || seconds > options_.retention) {
      return invalid("retention", "must be from 1m to the node's inbox.retention (" +
                                      std::to_string(options_.retention.count()) + "s)");
    }
    t.retention = seconds;
  }
  if (request.quota) {
    auto size = parse_size(*request.quota);
    if (!size) return invalid("quota", size.error().message);
    bool bounded = options_.quota_bytes != 0;
    if (*size == 0 || (bounded && *size > options_.quota_bytes)) {
      return invalid("quota", bounded ? "must be from 1 byte to the node's inbox.quota (" +
                                            std::to_string(options_.quota_bytes) + " bytes)"
                                      : "must be at least 1 byte");
    }
    t.quota_bytes = *size;
  }
  return t;
}

Result<std::string> AccountService::free_user_name() {
  for (int i = 0; i < kNameAttempts; ++i) {
    auto name = generate_user_name();
    auto taken = store_.account_by_user(name);
    if (!taken && taken.error() == Errc::not_found) return name;
    if (!taken) return taken.error();
  }
  return error_code(Errc::conflict);
}

void AccountService::create(AccountTerms terms, store::Completion<CreatedAccount> done) {
  boost::asio::post(worker_->pool, [this, terms, done = std::move(done)]() mutable {
    create_now(terms, std::move(done));
  });
}

void AccountService::create_now(const AccountTerms& terms, store::Completion<CreatedAccount> done) {
  auto user = free_user_name();
  if (!user) return done(user.error());
  auto password = generate_password();
  auto hash = auth::hash_password(password);
  if (!hash) return done(hash.error());
  store::NewInboxAccount account;
  account.user = *user;
  account.address = *user + "@" + options_.domain;
  account.password_hash = std::move(*hash);
  account.retention = terms.retention;
  account.quota_bytes = terms.quota_bytes;
  store_.create_account(std::move(account),
                        [done = std::move(done), password = std::move(password)](auto r) {
                          if (!r) return done(r.error());
                          done(CreatedAccount{std::move(*r), password});
                        });
}

void AccountService::verify_login_async(std::string user, std::string password,
                                        store::Completion<store::InboxAccount> done) {
  boost::asio::post(worker_->pool,
                    [this, user = std::move(user), password = std::move(password),
                     done = std::move(done)]() { done(verify_login(user, password)); });
}

Result<store::InboxAccount> AccountService::get(const std::string& user) {
  return store_.account_by_user(user);
}

Result<std::vector<store::InboxAccount>> AccountService::list(store::AccountId before,
                                                              std::size_t limit) {
  return store_.list_accounts(before, limit);
}

void AccountService::remove(const std::string& user, store::Completion<void> done) {
  auto account = store_.account_by_user(user);
  if (!account) return done(account.error());
  {
    std::lock_guard lock(mu_);
    verified_.erase(user);
    touched_.erase(account->id);
  }
  store_.delete_account(account->id, std::move(done));
}

Result<store::InboxAccount> AccountService::find_login(std::string_view user) {
  // Addresses are compared in lower case, as the domain is kept; a local
  // part generated here has no upper case either.
  if (user.find('@') != std::string_view::npos)
    return store_.account_by_address(ascii_lowered(user));
  return store_.account_by_user(std::string(user));
}

AccountService::Digest AccountService::digest_of(std::string_view password) const {
  Digest d{};
  crypto_generichash(d.data(), d.size(), reinterpret_cast<const unsigned char*>(password.data()),
                     password.size(), digest_key_.data(), digest_key_.size());
  return d;
}

bool AccountService::cached_locked(const store::InboxAccount& account, const Digest& digest) {
  auto it = verified_.find(account.user);
  if (it == verified_.end()) return false;
  const auto& v = it->second;
  if (clock_.steady_now() - v.at >= cache_options_.ttl) {
    verified_.erase(it);
    return false;
  }
  return v.password_hash == account.password_hash &&
         sodium_memcmp(v.digest.data(), digest.data(), digest.size()) == 0;
}

void AccountService::remember_locked(const store::InboxAccount& account, const Digest& digest) {
  if (verified_.size() >= cache_options_.max_entries && !verified_.contains(account.user)) {
    // Full: forget what expired; if that frees nothing, start over. A
    // cleared cache costs one Argon2id per client, never a wrong answer.
    auto now = clock_.steady_now();
    std::erase_if(verified_,
                  [&](const auto& e) { return now - e.second.at >= cache_options_.ttl; });
    if (verified_.size() >= cache_options_.max_entries) verified_.clear();
  }
  verified_[account.user] = Verified{account.password_hash, digest, clock_.steady_now()};
}

bool AccountService::check_password(const store::InboxAccount& account, std::string_view password,
                                    const Digest& digest) {
  std::string key = account.user + '\0' + account.password_hash + '\0' +
                    std::string(digest.begin(), digest.end());
  std::promise<bool> mine;
  {
    std::unique_lock lock(mu_);
    if (cached_locked(account, digest)) return true;
    if (auto it = checking_.find(key); it != checking_.end()) {
      auto shared = it->second;
      lock.unlock();
      return shared.get();
    }
    checking_.emplace(key, mine.get_future().share());
  }
  // Argon2id outside the lock: other accounts' logins go on meanwhile.
  bool ok = cache_options_.verify_password(account.password_hash, password);
  {
    std::lock_guard lock(mu_);
    checking_.erase(key);
    if (ok) remember_locked(account, digest);
  }
  mine.set_value(ok);
  return ok;
}

void AccountService::record_use(const store::InboxAccount& account) {
  auto now = clock_.now();
  {
    std::lock_guard lock(mu_);
    auto& last = touched_[account.id];
    last = std::max(last, account.last_used_at);
    if (now - last < cache_options_.touch_interval) return;
    last = now;
    if (touched_.size() > cache_options_.max_entries) touched_.clear();
  }
  auto id = account.id;
  store_.touch_account(id, now, [id](Result<void> r) {
    // A lost touch only brings the account's expiry a little closer; the
    // login itself stands.
    if (!r && r.error() != Errc::not_found)
      spdlog::warn("inbox: cannot record the use of account {}: {}", id, r.error().message());
  });
}

const std::string& AccountService::decoy_hash() {
  std::call_once(decoy_once_, [this] {
    if (auto hash = auth::hash_password("postern-login-decoy")) decoy_hash_ = std::move(*hash);
  });
  return decoy_hash_;
}

Result<store::InboxAccount> AccountService::verify_login(std::string_view user,
                                                         std::string_view password) {
  auto account = find_login(user);
  if (!account) {
    if (account.error() == Errc::not_found && !decoy_hash().empty())
      (void)auth::verify_password(decoy_hash(), password);
    return account.error();
  }
  if (!check_password(*account, password, digest_of(password))) return error_code(Errc::not_found);
  record_use(*account);
  return account;
}

}  // namespace postern::inbox
