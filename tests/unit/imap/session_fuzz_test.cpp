// Random well-formed commands, and mangled ones, into logged-in sessions
// over the real store: the session must never fail (ASan, UBSan), must
// answer each generated command and stay in step with the client: a NOOP
// sent after each one is answered by its own tagged OK. IDLE is mixed in
// by hand, with updates pushed while idling.
#include <gtest/gtest.h>

#include "command_generator.h"
#include "session_harness.h"

namespace postern::imap::test {
namespace {

class SessionRobustness : public SessionTest {
 protected:
  std::unique_ptr<Client> fresh() {
    auto c = selected_session();
    c->send("z CREATE Other\r\n");
    return c;
  }
};

TEST_F(SessionRobustness, AnswersEveryGeneratedCommandInStep) {
  for (int i = 0; i < 4; ++i) deliver_message("m" + std::to_string(i));
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(seed);
    CommandGenerator generator(seed);
    auto c = fresh();
    auto watcher = selected_session();
    for (int step = 0; step < 150; ++step) {
      if (step % 10 == 0) deliver_message("n" + std::to_string(step));
      auto command = generator.command();
      c->send(command);
      if (c->closed()) {
        c = fresh();
        continue;
      }
      auto answer = c->send("zz NOOP\r\n");
      // AUTHENTICATE without an initial response waits for a SASL line.
      if (answer.starts_with("+ ")) answer = c->send("*\r\nzz NOOP\r\n");
      ASSERT_TRUE(answer.ends_with("zz OK NOOP completed.\r\n")) << command << "→" << answer;
      if (step % 7 == 3) {
        // IDLE (not generated: it waits for DONE), updates pushed while
        // idling, then DONE or anything else (BAD).
        auto idle = watcher->send("wi IDLE\r\n");
        ASSERT_TRUE(idle.ends_with("+ idling\r\n")) << idle;
        deliver_message("i" + std::to_string(step));
        watcher->mailbox_changed();
        auto end = watcher->send(step % 2 ? "DONE\r\n" : "wj NOOP\r\n");
        ASSERT_TRUE(end.ends_with(step % 2 ? "wi OK IDLE terminated.\r\n"
                                           : "wi BAD Expected DONE to end IDLE.\r\n"))
            << end;
      }
      auto seen = watcher->send("w NOOP\r\n");
      ASSERT_TRUE(seen.ends_with("w OK NOOP completed.\r\n")) << seen;
    }
  }
}

TEST_F(SessionRobustness, SurvivesMangledBytes) {
  deliver_message("one");
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    CommandGenerator generator(seed);
    auto c = fresh();
    for (int step = 0; step < 200 && !c->closed(); ++step) {
      auto bytes = generator.command();
      auto& rng = generator.rng();
      for (int flips = static_cast<int>(rng() % 4); flips > 0; --flips)
        bytes[rng() % bytes.size()] = static_cast<char>(rng() % 256);
      // Cut anywhere: the session must take bytes however they arrive.
      auto cut = rng() % (bytes.size() + 1);
      c->send(bytes.substr(0, cut));
      c->send(bytes.substr(cut));
      // Now and then IDLE, whose end the next mangled bytes may or may not be.
      if (rng() % 8 == 0) {
        c->send("i IDLE\r\n");
        c->mailbox_changed();
      }
    }
  }
}

}  // namespace
}  // namespace postern::imap::test
