// Drives a pop3::SessionFsm in tests: feeds bytes, collects responses, and
// answers its actions from an in-memory maildrop (user "alice", password
// "secret"), as the server's session driver would.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/session_fsm.h"

namespace postern::pop3::test {

using Action = SessionFsm::Action;

struct FakeMessage {
  std::string uid;
  std::string content;
};

class FsmHarness {
 public:
  // Builds the FSM and connects it; returns the greeting.
  std::string connect(ConnectVerdict verdict = ConnectVerdict::accept, bool tls = false) {
    fsm = std::make_unique<SessionFsm>(policy, tls);
    fsm->on_connected(verdict);
    return run();
  }
  // Feeds raw bytes; returns what the session wrote, actions answered.
  std::string feed(std::string_view bytes) {
    fsm->on_input(bytes);
    return run();
  }
  // One command line; CRLF added.
  std::string send(std::string_view line) { return feed(std::string(line) + "\r\n"); }
  std::string log_in() {
    std::string out = send("USER alice");
    return out + send("PASS secret");
  }

  // Runs until the session wants to read or closes, answering actions.
  std::string run() {
    for (;;) {
      last_action = fsm->next();
      out += fsm->output();
      fsm->clear_output();
      switch (last_action) {
        case Action::flush:
          continue;
        case Action::read:
        case Action::close:
          return std::exchange(out, {});
        case Action::start_tls:
          fsm->on_tls_done(tls_ok, "TLSv1.3 with cipher TEST");
          continue;
        case Action::login:
          answer_login();
          continue;
        case Action::retrieve:
          answer_retrieve();
          continue;
        case Action::commit:
          committed = fsm->deletions();
          fsm->on_committed(commit_result);
          continue;
      }
    }
  }

  void answer_login() {
    auto c = fsm->take_credentials();
    logins.push_back(c.user + ":" + c.password);
    if (login_error) return fsm->on_login_result(*login_error);
    if (c.user != "alice" || c.password != "secret") {
      return fsm->on_login_result(LoginError::bad_credentials);
    }
    MaildropView view;
    view.retention = retention;
    for (const auto& m : messages) view.messages.push_back({m.uid, m.content.size()});
    fsm->on_login_result(std::move(view));
  }
  void answer_retrieve() {
    auto index = fsm->retrieve_index();
    retrieved.push_back(index);
    if (retrieve_error) return fsm->on_retrieved(*retrieve_error);
    fsm->on_retrieved(messages.at(index).content);
  }

  bool closed() const { return last_action == Action::close; }

  SessionPolicy policy;
  std::vector<FakeMessage> messages;
  std::chrono::seconds retention{3 * 24 * 3600};
  std::optional<LoginError> login_error;
  std::optional<error_code> retrieve_error;
  Result<void> commit_result;
  bool tls_ok = true;

  std::unique_ptr<SessionFsm> fsm;
  std::string out;
  Action last_action = Action::read;
  std::vector<std::string> logins;
  std::vector<std::size_t> retrieved;
  std::optional<std::vector<std::size_t>> committed;
};

}  // namespace postern::pop3::test
