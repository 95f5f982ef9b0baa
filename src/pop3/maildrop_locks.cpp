// MaildropLocks: see maildrop_locks.h.
#include "pop3/maildrop_locks.h"

#include <utility>

namespace postern::pop3 {

MaildropLocks::Lock::Lock(Lock&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), account_(other.account_) {}

MaildropLocks::Lock& MaildropLocks::Lock::operator=(Lock&& other) noexcept {
  if (this != &other) {
    if (owner_) owner_->release(account_);
    owner_ = std::exchange(other.owner_, nullptr);
    account_ = other.account_;
  }
  return *this;
}

MaildropLocks::Lock::~Lock() {
  if (owner_) owner_->release(account_);
}

std::optional<MaildropLocks::Lock> MaildropLocks::try_lock(std::int64_t account) {
  std::lock_guard lock(mu_);
  if (!held_.insert(account).second) return std::nullopt;
  return Lock(this, account);
}

bool MaildropLocks::locked(std::int64_t account) const {
  std::lock_guard lock(mu_);
  return held_.contains(account);
}

void MaildropLocks::release(std::int64_t account) {
  std::lock_guard lock(mu_);
  held_.erase(account);
}

}  // namespace postern::pop3
