// Which states Store::cancel and Store::retry take (store.h and
// docs/api.md, "Steering"), from every state a message can be in.
#include <gtest/gtest.h>

#include <ostream>
#include <tuple>

#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using test::await_completion;

// A state a message can be in, with what cancel and retry do from it.
struct StateCase {
  const char* name;
  MessageStatus status;
  bool with_refused_recipient;  // sent: some recipients refused for good
  bool cancel_takes_it;
  bool retry_takes_it;
};

const StateCase kCases[] = {
    {"queued", MessageStatus::queued, false, true, false},
    {"sending", MessageStatus::sending, false, false, false},
    {"sent", MessageStatus::sent, false, false, false},
    {"sent_with_a_refused_recipient", MessageStatus::sent, true, false, true},
    {"deferred", MessageStatus::deferred, false, true, true},
    {"failed", MessageStatus::failed, false, false, true},
    {"cancelled", MessageStatus::cancelled, false, false, true},
    {"quarantined", MessageStatus::quarantined, false, true, true},
};

// gtest prints a parameter's bytes otherwise, a pointer among them, into
// the test's ctest name.
void PrintTo(const StateCase& c, std::ostream* out) { *out << c.name; }

// Each state on each backend.
class CancelRetryStates : public ::testing::TestWithParam<std::tuple<Backend, StateCase>>,
                          public BackendStoreSupport {
 protected:
  void SetUp() override { set_up(std::get<0>(GetParam())); }
  const StateCase& state() const { return std::get<1>(GetParam()); }

  // A message brought to the case's state the way the gateway brings it there.
  MessageId message_in_state(const StateCase& c) {
    NewMessage m;
    m.content = R"({"from":"a@x.org","to":["b@x.org","c@x.org"],"text":"x"})";
    m.envelope.sender = "a@x.org";
    m.envelope.recipients = {{"b@x.org", RecipientKind::to}, {"c@x.org", RecipientKind::to}};
    m.source = "http";
    auto id =
        await_completion<EnqueueResult>([&](auto done) { store_->enqueue(std::move(m), done); })
            .value()
            .id;
    if (c.status == MessageStatus::cancelled) {
      EXPECT_TRUE(await_completion<MessageStatus>([&](auto done) { store_->cancel(id, done); }));
    }
    if (c.status != MessageStatus::queued && c.status != MessageStatus::cancelled) {
      auto leased = await_completion<std::vector<LeasedMessage>>(
          [&](auto done) { store_->lease("w", clock_.now(), 60s, 1, done); });
      EXPECT_EQ(leased.value().size(), 1u);
    }
    if (c.status != MessageStatus::queued && c.status != MessageStatus::sending &&
        c.status != MessageStatus::cancelled) {
      AttemptRecord attempt;
      attempt.id = id;
      attempt.next_status = c.status;
      attempt.next_attempt_at = clock_.now() + 60s;
      attempt.provider = "p";
      if (c.with_refused_recipient) {
        attempt.settled_recipients = {"b@x.org", "c@x.org"};
        attempt.refused_recipients = {"c@x.org"};
      }
      EXPECT_TRUE(await_completion<void>(
          [&](auto done) { store_->record_attempt("w", std::move(attempt), done); }));
    }
    EXPECT_EQ(store_->get_message(id).value().summary.status, c.status);
    return id;
  }

  // A request the state takes moves the message to `after`; one it does
  // not take is a conflict that changes nothing.
  void expect_outcome(MessageId id, const Result<MessageStatus>& answer, bool taken,
                      MessageStatus after) {
    if (taken) {
      ASSERT_TRUE(answer) << answer.error().message();
      EXPECT_EQ(*answer, after);
    } else {
      ASSERT_FALSE(answer);
      EXPECT_EQ(answer.error(), Errc::conflict);
    }
    auto now = store_->get_message(id).value().summary.status;
    EXPECT_EQ(now, taken ? after : state().status);
  }
};

TEST_P(CancelRetryStates, CancelTakesQueuedDeferredAndQuarantinedMailOnly) {
  auto id = message_in_state(state());
  auto answer = await_completion<MessageStatus>([&](auto done) { store_->cancel(id, done); });
  expect_outcome(id, answer, state().cancel_takes_it, MessageStatus::cancelled);
}

TEST_P(CancelRetryStates, RetryTakesEndedAndWaitingMailButNotMailWithNobodyLeft) {
  auto id = message_in_state(state());
  auto answer = await_completion<MessageStatus>([&](auto done) { store_->retry(id, done); });
  expect_outcome(id, answer, state().retry_takes_it, MessageStatus::queued);
}

INSTANTIATE_TEST_SUITE_P(EveryState, CancelRetryStates,
                         ::testing::Combine(::testing::Values(Backend::sqlite, Backend::postgres),
                                            ::testing::ValuesIn(kCases)),
                         [](const ::testing::TestParamInfo<std::tuple<Backend, StateCase>>& info) {
                           return std::string(std::get<0>(info.param) == Backend::sqlite
                                                  ? "sqlite_"
                                                  : "postgres_") +
                                  std::get<1>(info.param).name;
                         });

TEST(CancelRetryStatesTable, CoversEveryStatus) {
  std::vector<bool> covered(kMessageStatusCount, false);
  for (const auto& c : kCases) covered[static_cast<std::size_t>(c.status)] = true;
  for (int s = 0; s < kMessageStatusCount; ++s)
    EXPECT_TRUE(covered[static_cast<std::size_t>(s)]) << to_string(static_cast<MessageStatus>(s));
}

class CancelRetryUnknown : public AnyStoreFixture {};

INSTANTIATE_TEST_SUITE_P(Sqlite, CancelRetryUnknown, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, CancelRetryUnknown, ::testing::Values(Backend::postgres));

TEST_P(CancelRetryUnknown, CancelAndRetryAnswerNotFoundForAnUnknownId) {
  auto cancel =
      await_completion<MessageStatus>([&](auto done) { store_->cancel(MessageId(7), done); });
  EXPECT_EQ(cancel.error(), Errc::not_found);
  auto retry =
      await_completion<MessageStatus>([&](auto done) { store_->retry(MessageId(7), done); });
  EXPECT_EQ(retry.error(), Errc::not_found);
}

}  // namespace
}  // namespace postern::store
