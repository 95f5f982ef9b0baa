// SessionTable: see session_table.h.
#include "net/session_table.h"

#include <utility>
#include <vector>

namespace postern::net {

SessionTable::Ticket::Ticket(Ticket&& other) noexcept
    : table_(std::exchange(other.table_, nullptr)), id_(other.id_), verdict_(other.verdict_) {}

SessionTable::Ticket& SessionTable::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    if (table_) table_->release(id_);
    table_ = std::exchange(other.table_, nullptr);
    id_ = other.id_;
    verdict_ = other.verdict_;
  }
  return *this;
}

SessionTable::Ticket::~Ticket() {
  if (table_) table_->release(id_);
}

void SessionTable::Ticket::set_hooks(Hooks hooks) {
  if (table_) table_->set_hooks(id_, std::move(hooks));
}

SessionTable::SessionTable(std::size_t max_total, std::size_t max_per_address)
    : max_total_(max_total), max_per_address_(max_per_address) {}

SessionTable::Ticket SessionTable::admit(const std::string& address, bool trusted) {
  Ticket ticket;
  std::lock_guard lock(mu_);
  if (stopping_) {
    ticket.verdict_ = ConnectVerdict::shutting_down;
    return ticket;
  }
  auto& from_address = per_address_[address];
  if (sessions_.size() >= max_total_ || (!trusted && from_address >= max_per_address_)) {
    if (from_address == 0) per_address_.erase(address);
    ticket.verdict_ = ConnectVerdict::too_many_connections;
    return ticket;
  }
  ++from_address;
  ticket.table_ = this;
  ticket.id_ = next_id_++;
  ticket.verdict_ = ConnectVerdict::accept;
  sessions_.emplace(ticket.id_, Entry{address, {}});
  return ticket;
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void SessionTable::release(std::uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  auto count = per_address_.find(it->second.address);
  if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
  sessions_.erase(it);
  if (sessions_.empty()) emptied_.notify_all();
}

void SessionTable::set_hooks(std::uint64_t id, Hooks hooks) {
  bool stop = false;
  bool force = false;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    it->second.hooks = hooks;
    stop = stopping_;
    force = forced_;
  }
  // Hooks run outside the lock: they post, and must not wait on the table.
  if (stop && hooks.request_stop) hooks.request_stop();
  if (force && hooks.force_close) hooks.force_close();
}

void SessionTable::request_stop_all() {
  std::vector<std::function<void()>> calls;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, entry] : sessions_) {
      if (entry.hooks.request_stop) calls.push_back(entry.hooks.request_stop);
    }
  }
  for (auto& call : calls) call();
}

void SessionTable::force_close_all() {
  std::vector<std::function<void()>> calls;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    forced_ = true;
    for (auto& [id, entry] : sessions_) {
      if (entry.hooks.force_close) calls.push_back(entry.hooks.force_close);
    }
  }
  for (auto& call : calls) call();
}

bool SessionTable::wait_empty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return emptied_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
}

}  // namespace postern::net
