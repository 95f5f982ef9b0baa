// Drives a SessionFsm step by step in tests: feed bytes, collect replies,
// stop at the first action that is not read or flush.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.h"
#include "core/metrics.h"
#include "smtp/session_fsm.h"
#include "support/fake_clock.h"

namespace postern::smtp::test {

using Action = SessionFsm::Action;

class FsmHarness {
 public:
  FsmHarness() { policy.hostname = "mx.test"; }

  // Builds the FSM and connects it; returns the greeting.
  std::string connect(PeerInfo peer, ConnectVerdict verdict = ConnectVerdict::accept) {
    fsm = std::make_unique<SessionFsm>(policy, std::move(peer), clock, metrics);
    fsm->on_connected(verdict);
    last_action = run();
    return take();
  }
  std::string connect_trusted() { return connect(PeerInfo{"127.0.0.1", true, false, {}}); }
  std::string connect_untrusted() { return connect(PeerInfo{"192.0.2.7", false, false, {}}); }

  // Feeds raw bytes and runs the FSM; returns the replies written.
  std::string feed(std::string_view bytes) {
    fsm->on_input(bytes);
    last_action = run();
    return take();
  }
  // One command line; CRLF added.
  std::string send(std::string_view line) { return feed(std::string(line) + "\r\n"); }

  Action run() {
    for (;;) {
      auto a = fsm->next();
      out += fsm->output();
      fsm->clear_output();
      if (a != Action::flush) return a;
    }
  }
  std::string take() { return std::exchange(out, {}); }

  // Completes a store_message action with the given id (or error).
  std::string complete_store(Result<store::EnqueueResult> result) {
    fsm->on_store_result(result);
    last_action = run();
    return take();
  }
  std::string store_ok(std::uint64_t id = 42) {
    store::EnqueueResult r;
    r.id = MessageId(id);
    return complete_store(r);
  }
  std::string complete_auth(std::optional<auth::Principal> principal) {
    fsm->on_auth_result(std::move(principal));
    last_action = run();
    return take();
  }
  std::string complete_tls(bool ok) {
    fsm->on_tls_done(ok, "TLSv1.3 with cipher TEST");
    last_action = run();
    return take();
  }

  // DATA with `content` (CRLF lines, without the final dot): the message
  // the FSM asks to store, empty (and the test failed) when it asks for none.
  std::optional<store::NewMessage> data(std::string_view content) {
    send("DATA");
    feed(std::string(content) + ".\r\n");
    EXPECT_EQ(last_action, Action::store_message);
    if (last_action != Action::store_message) return std::nullopt;
    return fsm->take_message();
  }

  // EHLO plus a transaction up to the DATA reply.
  std::string open_transaction(std::string_view from = "a@x.example",
                               std::string_view to = "b@y.example") {
    std::string all = send("EHLO client.test");
    all += send("MAIL FROM:<" + std::string(from) + ">");
    all += send("RCPT TO:<" + std::string(to) + ">");
    return all;
  }

  SessionPolicy policy;
  postern::test::FakeClock clock;
  MetricsRegistry registry;
  SmtpMetrics metrics{registry};
  std::unique_ptr<SessionFsm> fsm;
  std::string out;
  Action last_action = Action::read;
};

// An MX policy for `domain` over a fixed set of accounts, by lower-case
// address (the store ignores case); `lookups` counts what it was asked.
struct FakeMailboxes {
  std::map<std::string, store::InboxAccount> accounts;
  error_code failure;  // when set, every lookup fails with it
  std::vector<std::string> lookups;

  MxPolicy policy(std::string domain) {
    return MxPolicy{std::move(domain), [this](const std::string& address) {
                      lookups.push_back(address);
                      if (failure) return Result<store::InboxAccount>(failure);
                      auto it = accounts.find(ascii_lowered(address));
                      if (it == accounts.end())
                        return Result<store::InboxAccount>(error_code(Errc::not_found));
                      return Result<store::InboxAccount>(it->second);
                    }};
  }
  void add(const std::string& address, std::uint64_t quota = 0, std::uint64_t used = 0) {
    store::InboxAccount a;
    a.id = static_cast<store::AccountId>(accounts.size() + 1);
    a.user = address.substr(0, address.find('@'));
    a.address = address;
    a.quota_bytes = quota;
    a.used_bytes = used;
    accounts[address] = a;
  }
};

inline auth::Principal principal(std::string name, bool send_scope = true) {
  auth::Principal p;
  p.kind = auth::Principal::Kind::api_key;
  p.name = std::move(name);
  if (send_scope) p.scopes.add(auth::Scope::send);
  return p;
}

// The reply lines' codes, e.g. "250 250 354".
inline std::string codes(std::string_view replies) {
  std::string out;
  std::size_t pos = 0;
  while (pos < replies.size()) {
    auto end = replies.find("\r\n", pos);
    if (end == std::string_view::npos) end = replies.size();
    auto line = replies.substr(pos, end - pos);
    // Only the last line of a multi-line reply ("250 ...", not "250-...").
    if (line.size() >= 3 && (line.size() == 3 || line[3] == ' ')) {
      if (!out.empty()) out += ' ';
      out += line.substr(0, 3);
    }
    pos = end + 2;
  }
  return out;
}

}  // namespace postern::smtp::test
