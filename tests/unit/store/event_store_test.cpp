// Provider events on both backends: de-duplication, matching to the
// message by the provider's id or Postern's, events kept until the send
// call's answer names them, recipient states and retention. And on
// PostgreSQL, two nodes on one database.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "event_fixture.h"
#include "store/event_writes.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using events::RecipientEventType;
using Outcomes = std::vector<EventOutcome>;

class EventStoreTest : public AnyEventFixture {};

INSTANTIATE_TEST_SUITE_P(Sqlite, EventStoreTest, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, EventStoreTest, ::testing::Values(Backend::postgres));

TEST_P(EventStoreTest, TheSameReportTwiceIsRecordedOnce) {
  auto id = sent_message({"b@x.org"}, "mailgun", "<m1@mg>");
  auto e = event("mailgun", "token-1", "<m1@mg>", "b@x.org", RecipientEventType::delivered);
  EXPECT_EQ(record({e, e}), (Outcomes{EventOutcome::recorded, EventOutcome::duplicate}));
  EXPECT_EQ(record({e}), (Outcomes{EventOutcome::duplicate}));
  EXPECT_EQ(provider_events_of(id).size(), 1u);
  // The key is the provider's: another provider's report with the same key is another report.
  auto other = event("sendgrid", "token-1", "", "b@x.org", RecipientEventType::delivered);
  EXPECT_EQ(record({other}), (Outcomes{EventOutcome::unmatched}));
}

TEST_P(EventStoreTest, AReportIsTiedToTheMessageByTheProvidersId) {
  auto id = sent_message({"b@x.org", "c@x.org"}, "mailgun", "<m1@mg>");
  auto e = event("mailgun", "t1", "<m1@mg>", "b@x.org", RecipientEventType::delivered);
  e.at = clock_.now() - 5s;
  EXPECT_EQ(record({e}), (Outcomes{EventOutcome::recorded}));

  auto detail = message(id);
  ASSERT_EQ(detail.recipient_states.size(), 1u);
  const auto& state = detail.recipient_states[0];
  EXPECT_EQ(state.address, "b@x.org");
  EXPECT_EQ(state.state, "delivered");
  EXPECT_EQ(state.at, from_unix_ms(to_unix_ms(e.at)));
  EXPECT_EQ(state.detail, "delivered detail");
  EXPECT_EQ(state.provider, "mailgun");
  const auto& last = detail.events.back();
  EXPECT_EQ(last.type, "delivered");
  EXPECT_EQ(last.recipient, "b@x.org");
  EXPECT_EQ(last.provider, "mailgun");
  EXPECT_EQ(last.detail, "delivered detail");
  EXPECT_EQ(last.status, MessageStatus::sent);
  EXPECT_GT(last.seq, detail.events[detail.events.size() - 2].seq);
}

TEST_P(EventStoreTest, TheProvidersIdMatchesOnlyAtThatProvider) {
  sent_message({"b@x.org"}, "mailgun", "<m1@mg>");
  auto e = event("postmark", "t1", "<m1@mg>", "b@x.org", RecipientEventType::delivered);
  EXPECT_EQ(record({e}), (Outcomes{EventOutcome::unmatched}));
}

TEST_P(EventStoreTest, AReportIsTiedByPosternsIdWhenTheProvidersIdIsAbsentOrUnknown) {
  auto id = sent_message({"b@x.org"}, "sendgrid", "sg-1");
  auto without = event("sendgrid", "e1", "", "b@x.org", RecipientEventType::bounced);
  without.postern_id = id.to_string();
  auto unknown = event("sendgrid", "e2", "sg-unknown", "b@x.org", RecipientEventType::deferred);
  unknown.postern_id = id.to_string();
  auto no_such = event("sendgrid", "e3", "", "b@x.org", RecipientEventType::delivered);
  no_such.postern_id = MessageId(id.value() + 1).to_string();
  auto garbage = event("sendgrid", "e4", "", "b@x.org", RecipientEventType::delivered);
  garbage.postern_id = "not an id";
  EXPECT_EQ(record({without, unknown, no_such, garbage}),
            (Outcomes{EventOutcome::recorded, EventOutcome::recorded, EventOutcome::unmatched,
                      EventOutcome::unmatched}));
  EXPECT_EQ(provider_events_of(id).size(), 2u);
}

TEST_P(EventStoreTest, AReportBeforeTheSendCallsAnswerIsAppliedWhenTheAnswerIsRecorded) {
  auto id = enqueue({"b@x.org", "c@x.org"});
  ASSERT_EQ(lease().size(), 1u);
  auto bounce = event("mailgun", "t1", "<m1@mg>", "b@x.org", RecipientEventType::bounced);
  auto delivered = event("mailgun", "t2", "<m1@mg>", "c@x.org", RecipientEventType::delivered);
  EXPECT_EQ(record({bounce, delivered}),
            (Outcomes{EventOutcome::unmatched, EventOutcome::unmatched}));
  EXPECT_TRUE(message(id).recipient_states.empty());
  EXPECT_FALSE(suppressed("b@x.org"));
  auto unmatched = events().unmatched_events(0, 10).value();
  ASSERT_EQ(unmatched.size(), 2u);
  EXPECT_EQ(unmatched[0].event.dedupe_key, "t2");  // newest first
  EXPECT_EQ(unmatched[0].event.recipient, "c@x.org");
  EXPECT_EQ(unmatched[0].event.type, RecipientEventType::delivered);
  EXPECT_EQ(unmatched[0].event.provider_message_id, "<m1@mg>");
  EXPECT_EQ(unmatched[1].event.dedupe_key, "t1");

  record_attempt(id, "mailgun", "<m1@mg>");

  auto detail = message(id);
  ASSERT_EQ(detail.recipient_states.size(), 2u);
  EXPECT_EQ(detail.recipient_states[0].state, "bounced");
  EXPECT_EQ(detail.recipient_states[1].state, "delivered");
  auto timeline = provider_events_of(id);
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(timeline[0].type, "bounced");
  EXPECT_EQ(timeline[1].type, "delivered");
  EXPECT_TRUE(suppressed("b@x.org"));
  EXPECT_TRUE(events().unmatched_events(0, 10).value().empty());
  EXPECT_EQ(record({bounce}), (Outcomes{EventOutcome::duplicate}));
}

TEST_P(EventStoreTest, AMessageSentInPartsIsFoundByEachPartsId) {
  auto id = enqueue({"b@x.org", "c@x.org"});
  ASSERT_EQ(lease().size(), 1u);
  record_attempt(id, "sendgrid", "part-1", MessageStatus::deferred, {"b@x.org"});
  auto again = lease();
  ASSERT_EQ(again.size(), 1u);
  ASSERT_EQ(again[0].envelope.recipients.size(), 1u);
  record_attempt(id, "sendgrid", "part-2");
  EXPECT_EQ(record({event("sendgrid", "e1", "part-1", "b@x.org", RecipientEventType::delivered),
                    event("sendgrid", "e2", "part-2", "c@x.org", RecipientEventType::complained)}),
            (Outcomes{EventOutcome::recorded, EventOutcome::recorded}));
  auto states = message(id).recipient_states;
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].state, "delivered");
  EXPECT_EQ(states[1].state, "complained");
}

TEST_P(EventStoreTest, TheReportWithTheLatestTimeSetsTheState) {
  auto id = sent_message({"b@x.org"}, "mailgun", "<m1@mg>");
  auto delivered = event("mailgun", "t1", "<m1@mg>", "b@x.org", RecipientEventType::delivered);
  auto deferred = event("mailgun", "t2", "<m1@mg>", "b@x.org", RecipientEventType::deferred);
  deferred.at = delivered.at - 30s;  // arrives after, happened before
  EXPECT_EQ(record({delivered}), (Outcomes{EventOutcome::recorded}));
  EXPECT_EQ(record({deferred}), (Outcomes{EventOutcome::recorded}));
  auto detail = message(id);
  ASSERT_EQ(detail.recipient_states.size(), 1u);
  EXPECT_EQ(detail.recipient_states[0].state, "delivered");
  EXPECT_EQ(provider_events_of(id).size(), 2u);  // both in the timeline
}

TEST_P(EventStoreTest, TheStateKeepsTheEnvelopesSpellingOfTheAddress) {
  auto id = sent_message({"Ann@Example.com"}, "sendgrid", "sg-1");
  EXPECT_EQ(
      record({event("sendgrid", "e1", "sg-1", "ann@example.com", RecipientEventType::bounced)}),
      (Outcomes{EventOutcome::recorded}));
  auto detail = message(id);
  ASSERT_EQ(detail.recipient_states.size(), 1u);
  EXPECT_EQ(detail.recipient_states[0].address, "Ann@Example.com");
  EXPECT_EQ(detail.events.back().recipient, "Ann@Example.com");
  // The next send to the address as the sender writes it is suppressed.
  EXPECT_TRUE(suppressed("Ann@Example.com"));
}

TEST_P(EventStoreTest, OnlyBouncesAndComplaintsSuppress) {
  auto id = sent_message({"d@x.org", "s@x.org", "f@x.org", "b@x.org", "c@x.org"}, "mailgun", "m");
  clock_.advance(1s);
  EXPECT_EQ(record({event("mailgun", "1", "m", "d@x.org", RecipientEventType::delivered),
                    event("mailgun", "2", "m", "s@x.org", RecipientEventType::soft_bounced),
                    event("mailgun", "3", "m", "f@x.org", RecipientEventType::deferred),
                    event("mailgun", "4", "m", "b@x.org", RecipientEventType::bounced),
                    event("mailgun", "5", "m", "c@x.org", RecipientEventType::complained)}),
            Outcomes(5, EventOutcome::recorded));
  auto among = events().suppressed_among({"d@x.org", "s@x.org", "f@x.org", "b@x.org", "c@x.org"});
  EXPECT_EQ(among.value(), (std::vector<std::string>{"b@x.org", "c@x.org"}));
  auto bounced = events().suppression("b@x.org").value();
  ASSERT_TRUE(bounced);
  EXPECT_EQ(bounced->reason, "bounced");
  EXPECT_EQ(bounced->provider, "mailgun");
  EXPECT_EQ(bounced->message, id);
  EXPECT_EQ(bounced->detail, "bounced detail");
  EXPECT_EQ(bounced->created_at, from_unix_ms(to_unix_ms(clock_.now())));
  EXPECT_EQ(events().suppression("c@x.org").value()->reason, "complained");
}

TEST_P(EventStoreTest, SuppressedRecipientsAreNeverLeased) {
  auto id = enqueue({"b@x.org", "c@x.org"}, {"c@x.org"});
  auto leased = lease();
  ASSERT_EQ(leased.size(), 1u);
  ASSERT_EQ(leased[0].envelope.recipients.size(), 1u);
  EXPECT_EQ(leased[0].envelope.recipients[0].address, "b@x.org");
  EXPECT_EQ(message(id).summary.suppressed_recipients, std::vector<std::string>{"c@x.org"});
  // Deferred, then leased again: still left out.
  record_attempt(id, "mailgun", "", MessageStatus::deferred);
  leased = lease();
  ASSERT_EQ(leased.size(), 1u);
  ASSERT_EQ(leased[0].envelope.recipients.size(), 1u);
  EXPECT_EQ(leased[0].envelope.recipients[0].address, "b@x.org");
}

TEST_P(EventStoreTest, AMessageWhoseEveryRecipientIsSuppressedFailsInsteadOfBeingSent) {
  auto id = enqueue({"b@x.org", "c@x.org"}, {"b@x.org", "c@x.org"});
  EXPECT_TRUE(lease().empty());
  auto detail = message(id);
  EXPECT_EQ(detail.summary.status, MessageStatus::failed);
  EXPECT_EQ(detail.summary.attempts, 0);
  EXPECT_EQ(detail.events.back().failure_class, "suppressed");
  EXPECT_EQ(store_->count_by_status().value()[static_cast<int>(MessageStatus::failed)], 1);
  EXPECT_EQ(store_->count_by_status().value()[static_cast<int>(MessageStatus::sending)], 0);
}

TEST_P(EventStoreTest, RetentionDeletesWhatProvidersReportedAboutAMessage) {
  auto id = sent_message({"b@x.org"}, "mailgun", "<m1@mg>");
  EXPECT_EQ(record({event("mailgun", "t1", "<m1@mg>", "b@x.org", RecipientEventType::bounced)}),
            (Outcomes{EventOutcome::recorded}));
  clock_.advance(1h);
  auto purged = test::await_completion<std::size_t>(
      [&](auto done) { store_->purge_ended(clock_.now(), 10, done); });
  ASSERT_EQ(purged.value(), 1u);
  for (const char* table : {"provider_events", "recipient_states", "provider_message_ids"})
    EXPECT_EQ(count_rows(table), 0) << table;
  // The list outlives the message it came from.
  EXPECT_TRUE(suppressed("b@x.org"));
  // Its provider id names nothing any more.
  EXPECT_EQ(record({event("mailgun", "t2", "<m1@mg>", "b@x.org", RecipientEventType::delivered)}),
            (Outcomes{EventOutcome::unmatched}));
  EXPECT_EQ(store_->get_message(id).error(), Errc::not_found);
}

TEST_P(EventStoreTest, RetentionDeletesUnmatchedReportsRecordedBeforeTheCutOff) {
  EXPECT_EQ(record({event("mailgun", "old", "<x@mg>", "b@x.org", RecipientEventType::delivered)}),
            (Outcomes{EventOutcome::unmatched}));
  clock_.advance(1h);
  const auto cut_off = clock_.now();
  EXPECT_EQ(record({event("mailgun", "new", "<x@mg>", "b@x.org", RecipientEventType::delivered)}),
            (Outcomes{EventOutcome::unmatched}));
  auto purged = test::await_completion<std::size_t>(
      [&](auto done) { store_->purge_ended(cut_off, 10, done); });
  EXPECT_EQ(purged.value(), 0u);  // messages
  auto left = events().unmatched_events(0, 10).value();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].event.dedupe_key, "new");
}

TEST_P(EventStoreTest, EventsAndStatesSurviveARestart) {
  auto id = enqueue({"b@x.org"});
  ASSERT_EQ(lease().size(), 1u);
  auto early = event("mailgun", "t0", "<m1@mg>", "b@x.org", RecipientEventType::deferred);
  EXPECT_EQ(record({early}), (Outcomes{EventOutcome::unmatched}));
  record_attempt(id, "mailgun", "<m1@mg>");
  auto e = event("mailgun", "t1", "<m1@mg>", "b@x.org", RecipientEventType::complained);
  e.at += 1s;
  EXPECT_EQ(record({e}), (Outcomes{EventOutcome::recorded}));
  auto lost = event("mailgun", "t9", "<unknown@mg>", "z@x.org", RecipientEventType::delivered);
  EXPECT_EQ(record({lost}), (Outcomes{EventOutcome::unmatched}));
  open();
  EXPECT_EQ(record({early, e, lost}), Outcomes(3, EventOutcome::duplicate));
  auto detail = message(id);
  ASSERT_EQ(detail.recipient_states.size(), 1u);
  EXPECT_EQ(detail.recipient_states[0].state, "complained");
  EXPECT_EQ(provider_events_of(id).size(), 2u);
  EXPECT_TRUE(suppressed("b@x.org"));
  auto unmatched = events().unmatched_events(0, 10).value();
  ASSERT_EQ(unmatched.size(), 1u);
  EXPECT_EQ(unmatched[0].event.dedupe_key, "t9");
  // A send call's answer recorded after the restart still finds it.
  auto later = enqueue({"z@x.org"});
  ASSERT_EQ(lease().size(), 1u);
  record_attempt(later, "mailgun", "<unknown@mg>");
  EXPECT_EQ(message(later).recipient_states.size(), 1u);
}

// A batch larger than one write of the writer's bulk lane is recorded in
// parts and answered once, with every outcome in the batch's order,
// duplicates within it included.
TEST_P(EventStoreTest, ABatchRecordedInPartsAnswersEveryEventInOrder) {
  auto id = sent_message({"b@x.org", "c@x.org"}, "sendgrid", "sg1");
  constexpr auto kEvents = 2 * kEventsPerWrite + 3;
  std::vector<events::ProviderEvent> batch;
  Outcomes expected;
  for (std::size_t i = 0; i < kEvents; ++i) {
    // The last repeats the first: a duplicate in another part.
    auto key = i + 1 == kEvents ? "e0" : "e" + std::to_string(i);
    batch.push_back(event("sendgrid", key, i % 3 == 0 ? "sg1" : "other", "b@x.org",
                          RecipientEventType::delivered));
    expected.push_back(i + 1 == kEvents ? EventOutcome::duplicate
                       : i % 3 == 0     ? EventOutcome::recorded
                                        : EventOutcome::unmatched);
  }
  EXPECT_EQ(record(batch), expected);
  EXPECT_EQ(provider_events_of(id).size(),
            static_cast<std::size_t>(
                std::count(expected.begin(), expected.end(), EventOutcome::recorded)));
}

// The writer's lanes (group_commit.h): intake's write, issued after a
// backlog of provider events, is answered within a transaction or two, not
// after the whole backlog.
TEST_P(EventStoreTest, AnIntakeWriteDoesNotWaitBehindAProviderEventBacklog) {
  sent_message({"b@x.org"}, "sendgrid", "sg1");
  constexpr int kBatches = 100;
  std::atomic<int> batches_answered{0};
  for (int b = 0; b < kBatches; ++b) {
    std::vector<events::ProviderEvent> batch;
    for (int i = 0; i < 100; ++i) {
      batch.push_back(event("sendgrid", "b" + std::to_string(b) + "." + std::to_string(i), "sg1",
                            "b@x.org", RecipientEventType::delivered));
    }
    events().record_provider_events(std::move(batch), [&](Result<Outcomes> r) {
      EXPECT_TRUE(r);
      batches_answered++;
    });
  }
  const int answered_before = batches_answered.load();
  std::atomic<int> answered_with_intake{-1};
  NewMessage m;
  m.format = ContentFormat::mime;
  m.content = "Subject: hi\r\n\r\nhello\r\n";
  m.envelope.sender = "sender@example.org";
  m.envelope.recipients.push_back({"d@x.org", RecipientKind::to});
  m.source = "http";
  auto r = test::await_completion<EnqueueResult>([&](auto done) {
    store_->enqueue(std::move(m), [&, done](Result<EnqueueResult> r) {
      answered_with_intake = batches_answered.load();
      done(std::move(r));
    });
  });
  ASSERT_TRUE(r) << r.error().message();
  // The transaction under way when it came holds at most 5 ms of the
  // backlog (bulk_idle_budget: a few batches), its own half a millisecond
  // (about one 20-event part; a batch is 5). Before the lanes, the intake
  // write was answered after every batch queued before it.
  EXPECT_LE(answered_with_intake.load() - answered_before, 10);
  EXPECT_LT(answered_with_intake.load(), kBatches);
  // The backlog is all recorded in the end: closing commits what is queued.
  store_->close();
  EXPECT_EQ(batches_answered.load(), kBatches);
}

TEST_P(EventStoreTest, TheUnmatchedListPagesNewestFirst) {
  std::vector<events::ProviderEvent> batch;
  for (int i = 0; i < 5; ++i)
    batch.push_back(event("mailgun", "t" + std::to_string(i), "<x@mg>", "b@x.org",
                          RecipientEventType::delivered));
  EXPECT_EQ(record(batch), Outcomes(5, EventOutcome::unmatched));
  auto first = events().unmatched_events(0, 2).value();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].event.dedupe_key, "t4");
  EXPECT_EQ(first[1].event.dedupe_key, "t3");
  EXPECT_EQ(first[0].received_at, from_unix_ms(to_unix_ms(clock_.now())));
  auto second = events().unmatched_events(first.back().id, 10).value();
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[0].event.dedupe_key, "t2");
  EXPECT_EQ(second[2].event.dedupe_key, "t0");
}

// Two nodes on one PostgreSQL database: store_ and another PostgresStore.
class EventStoreTwoNodes : public AnyEventFixture {
 protected:
  void SetUp() override {
    AnyEventFixture::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    auto s = postgres::PostgresStore::open({pg_->conninfo(database_)}, clock_, metrics_);
    ASSERT_TRUE(s) << s.error().message();
    other_ = std::move(*s);
  }

  std::vector<EventOutcome> record_at_other(std::vector<events::ProviderEvent> batch) {
    auto r = test::await_completion<std::vector<EventOutcome>>(
        [&](auto done) { other_->events().record_provider_events(std::move(batch), done); });
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : std::vector<EventOutcome>{};
  }

  std::unique_ptr<postgres::PostgresStore> other_;
};

INSTANTIATE_TEST_SUITE_P(Postgres, EventStoreTwoNodes, ::testing::Values(Backend::postgres));

TEST_P(EventStoreTwoNodes, ASuppressionAddedThroughOneNodeIsSeenByTheOther) {
  Suppression s;
  s.address = "Ann@Example.com";
  s.reason = "manual";
  ASSERT_EQ(add({s}).value(), 1u);
  EXPECT_EQ(other_->events().suppressed_among({"Ann@example.COM", "bob@example.com"}).value(),
            std::vector<std::string>{"Ann@example.COM"});
  auto removed = test::await_completion<bool>(
      [&](auto done) { other_->events().remove_suppression("Ann@example.com", done); });
  EXPECT_TRUE(removed.value());
  EXPECT_FALSE(suppressed("Ann@Example.com"));
}

TEST_P(EventStoreTwoNodes, AnEventRecordedThroughOneNodeMatchesAMessageOfTheOther) {
  auto id = sent_message({"b@x.org"}, "mailgun", "<m1@mg>");
  EXPECT_EQ(
      record_at_other({event("mailgun", "t1", "<m1@mg>", "b@x.org", RecipientEventType::bounced)}),
      (Outcomes{EventOutcome::recorded}));
  auto detail = message(id);
  ASSERT_EQ(detail.recipient_states.size(), 1u);
  EXPECT_EQ(detail.recipient_states[0].state, "bounced");
  EXPECT_TRUE(suppressed("b@x.org"));
  // And one that came before the answer, through the other node, is
  // applied when this node records the answer.
  auto later = enqueue({"c@x.org"});
  ASSERT_EQ(lease().size(), 1u);
  EXPECT_EQ(record_at_other(
                {event("mailgun", "t2", "<m2@mg>", "c@x.org", RecipientEventType::delivered)}),
            (Outcomes{EventOutcome::unmatched}));
  record_attempt(later, "mailgun", "<m2@mg>");
  ASSERT_EQ(message(later).recipient_states.size(), 1u);
  EXPECT_TRUE(events().unmatched_events(0, 10).value().empty());
}

// The send call's answers recorded by one node while the events naming
// them arrive at the other, at the same moments: each event is tied to its
// message, none left unmatched (neither transaction sees the other's rows
// unless one waits for the other: event_writer.h).
TEST_P(EventStoreTwoNodes, AnEventAndItsSendCallsAnswerRecordedAtOnceOnTwoNodesMeet) {
  constexpr int kMessages = 60;
  std::vector<MessageId> ids;
  for (int i = 0; i < kMessages; ++i) ids.push_back(enqueue({"r" + std::to_string(i) + "@x.org"}));
  ASSERT_EQ(lease().size(), static_cast<std::size_t>(kMessages));
  std::atomic<int> answered{0};
  std::thread events_thread([&] {
    for (int i = 0; i < kMessages; ++i) {
      auto r = i % 2 ? "r" + std::to_string(i) + "@x.org" : "R" + std::to_string(i) + "@X.org";
      other_->events().record_provider_events(
          {event("mailgun", "e" + std::to_string(i), "p" + std::to_string(i), r,
                 RecipientEventType::delivered)},
          [&](Result<Outcomes> r) {
            EXPECT_TRUE(r) << r.error().message();
            answered++;
          });
    }
  });
  for (int i = 0; i < kMessages; ++i) record_attempt(ids[i], "mailgun", "p" + std::to_string(i));
  events_thread.join();
  other_->close();  // answers what is queued
  EXPECT_EQ(answered.load(), kMessages);
  EXPECT_TRUE(events().unmatched_events(0, 100).value().empty());
  for (int i = 0; i < kMessages; ++i) {
    auto states = message(ids[i]).recipient_states;
    ASSERT_EQ(states.size(), 1u) << i;
    EXPECT_EQ(states[0].address, "r" + std::to_string(i) + "@x.org");
  }
}

}  // namespace
}  // namespace postern::store
