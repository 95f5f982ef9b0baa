// What each accepted message looked like when it arrived (the HTTP request,
// or the SMTP envelope and data), kept by Postern id so tests can compare it
// byte for byte. Bounded by a byte budget; the oldest receipts go first.
// Not thread-safe (Ledger locks).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "net/http_message.h"
#include "sim/common/service_kind.h"

namespace postern::sim {

struct SmtpEnvelope {
  std::string helo;
  std::string auth_user;  // empty without AUTH
  bool tls = false;
  std::string mail_from;
  std::vector<std::string> rcpt_to;
};

struct Receipt {
  Service service = Service::mailgun;
  SystemTime received_at;
  std::string provider_message_id;
  // HTTP services.
  std::string method;
  std::string target;
  net::HttpHeaders headers;
  std::vector<std::string> recipients;  // every recipient the request named
  // SMTP.
  SmtpEnvelope envelope;
  // The request body, or the SMTP data after dot-unstuffing.
  std::string body;

  std::size_t weight() const;  // bytes held, for the budget
};

class Capture {
 public:
  explicit Capture(std::size_t budget_bytes) : budget_(budget_bytes) {}

  // Keeps `receipt` under `postern_id` ("" for messages without one),
  // evicting the oldest receipts while over budget. A receipt larger than
  // the whole budget is not kept.
  void add(const std::string& postern_id, Receipt receipt);
  // Every kept receipt of that id, oldest first.
  std::vector<Receipt> find(const std::string& postern_id) const;
  void clear();

 private:
  struct Entry {
    std::string postern_id;
    Receipt receipt;
  };
  void evict_oldest();

  std::size_t budget_;
  std::size_t held_ = 0;
  std::uint64_t first_seq_ = 0;  // sequence number of entries_.front()
  std::deque<Entry> entries_;
  std::unordered_map<std::string, std::deque<std::uint64_t>> by_id_;  // sequence numbers, ascending
};

}  // namespace postern::sim
