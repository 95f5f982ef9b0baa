// The budget for content in flight at the session (limits.inflight_bytes):
// DATA and BDAT refused with 452 4.3.1 past it, content charged as it
// arrives and until the store has it, nothing charged after a refusal.
#include <gtest/gtest.h>

#include "core/inflight_budget.h"
#include "fsm_harness.h"

namespace postern::smtp {
namespace {

using test::Action;
using test::codes;

constexpr std::string_view kHead = "From: a@x.example\r\nTo: b@y.example\r\n\r\n";

class SessionFsmBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h.policy.budget = &budget;
    h.connect_trusted();
    h.send("EHLO client.test");
  }
  // MAIL (with `mail_params`) and RCPT.
  void open(std::string_view mail_params = "") {
    ASSERT_EQ(codes(h.send("MAIL FROM:<a@x.example>" + std::string(mail_params))), "250");
    ASSERT_EQ(codes(h.send("RCPT TO:<b@y.example>")), "250");
  }
  // The refusals counted, as /metrics shows them.
  std::string refusals() const {
    const std::string name = "postern_inflight_refusals_total{protocol=\"smtp\"} ";
    auto text = registry.render();
    auto at = text.find(name);
    if (at == std::string::npos) return "";
    at += name.size();
    return text.substr(at, text.find('\n', at) - at);
  }

  MetricsRegistry registry;
  InflightBudget budget{1000, registry};
  test::FsmHarness h;
};

TEST_F(SessionFsmBudgetTest, ContentIsChargedUntilTheStoreHasIt) {
  open();
  h.send("DATA");
  h.feed(std::string(kHead) + std::string(300, 'x') + "\r\n");
  EXPECT_GE(budget.used(), 300u);  // charged as it arrives
  h.feed(".\r\n");
  ASSERT_EQ(h.last_action, Action::store_message);
  auto m = h.fsm->take_message();
  EXPECT_EQ(budget.used(), kHead.size() + 302);
  EXPECT_EQ(codes(h.store_ok()), "250");
  EXPECT_EQ(budget.used(), 0u);
}

TEST_F(SessionFsmBudgetTest, DataIsRefusedWith452WhileTheBudgetIsSpent) {
  ASSERT_TRUE(budget.try_charge(1000));
  open();
  EXPECT_EQ(h.send("DATA"),
            "452 4.3.1 Insufficient system resources: too much mail in progress, try again "
            "later\r\n");
  EXPECT_EQ(refusals(), "1");
  // The transaction stays: once there is room, DATA goes through.
  budget.release(1000);
  EXPECT_EQ(codes(h.send("DATA")), "354");
}

TEST_F(SessionFsmBudgetTest, ADeclaredSizeIsChargedAtDataAndRefusedWhenItCannotFit) {
  ASSERT_TRUE(budget.try_charge(500));
  open(" SIZE=600");
  EXPECT_EQ(codes(h.send("DATA")), "452");
  EXPECT_EQ(budget.used(), 500u);  // nothing kept from the refusal
  h.send("RSET");
  open(" SIZE=400");
  EXPECT_EQ(codes(h.send("DATA")), "354");
  EXPECT_EQ(budget.used(), 900u);
}

TEST_F(SessionFsmBudgetTest, ContentPastTheBudgetIsDroppedAndAnswered452AtTheEnd) {
  open();
  h.send("DATA");
  EXPECT_EQ(h.feed(std::string(kHead) + std::string(900, 'x') + "\r\n"), "");
  ASSERT_TRUE(budget.try_charge(budget.room()));  // another session takes the rest
  auto held = budget.used();
  EXPECT_EQ(h.feed(std::string(200, 'y') + "\r\n"), "");
  EXPECT_LT(budget.used(), held);  // what it had is released at once
  EXPECT_EQ(codes(h.feed("more\r\n.\r\n")), "452");
  EXPECT_EQ(refusals(), "1");
  EXPECT_EQ(h.last_action, Action::read);
  // The session goes on.
  EXPECT_EQ(codes(h.send("NOOP")), "250");
}

TEST_F(SessionFsmBudgetTest, BdatIsRefusedWhileTheBudgetIsSpentAndFailsPastIt) {
  ASSERT_TRUE(budget.try_charge(1000));
  open();
  std::string chunk = std::string(kHead) + "hi\r\n";
  EXPECT_EQ(codes(h.feed("BDAT " + std::to_string(chunk.size()) + " LAST\r\n" + chunk)), "452");
  budget.release(1000);
  h.send("RSET");
  open();
  std::string big;
  while (big.size() < 1200) big += std::string(98, 'x') + "\r\n";
  EXPECT_EQ(codes(h.feed("BDAT 1200\r\n" + big)), "452");
  EXPECT_EQ(budget.used(), 0u);
  // RFC 3030: the transaction failed; a later chunk has none.
  EXPECT_EQ(codes(h.feed("BDAT 2 LAST\r\nok")), "503");
}

TEST_F(SessionFsmBudgetTest, AClosedSessionReleasesItsContent) {
  open();
  h.send("DATA");
  h.feed(std::string(kHead) + "half a message\r\n");
  EXPECT_GT(budget.used(), 0u);
  h.fsm->on_input_closed("client closed the connection");
  h.fsm.reset();
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace postern::smtp
