// SelectedMailbox against the real store: random interleavings of
// arrivals, expunges and flag changes by "other sessions", refreshed at
// random with and without expunges allowed. A client model applies only
// what the view announces (EXPUNGE, EXISTS, FETCH FLAGS); after every
// refresh it must agree with the view, and after one that allows
// expunges the view must agree with the store.
#include "imap/session/selected_mailbox.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "store/inbox_fixture.h"

namespace postern::imap {
namespace {

using store::MailFlags;

// What a client knows: the UIDs by sequence number and their flags.
struct ClientModel {
  std::vector<std::uint32_t> uids;
  std::map<std::uint32_t, std::string> flags;

  void apply(const std::vector<MailboxUpdate>& updates, const SelectedMailbox& view) {
    for (const auto& u : updates) {
      switch (u.kind) {
        case MailboxUpdate::Kind::expunge:
          ASSERT_GE(u.number, 1u);
          ASSERT_LE(u.number, uids.size());
          uids.erase(uids.begin() + (u.number - 1));
          break;
        case MailboxUpdate::Kind::exists:
          // New messages: the client learns their UIDs and flags by FETCH.
          ASSERT_GE(u.number, uids.size());
          while (uids.size() < u.number) {
            const auto& m = view.at(static_cast<std::uint32_t>(uids.size() + 1));
            uids.push_back(m.uid);
            flags[m.uid] = flag_list(m.flags, m.recent);
          }
          break;
        case MailboxUpdate::Kind::recent:
          EXPECT_EQ(u.number, view.recent_count());
          break;
        case MailboxUpdate::Kind::flags:
          ASSERT_LE(u.number, uids.size());
          EXPECT_EQ(uids[u.number - 1], u.uid);
          flags[u.uid] = u.flags;
          break;
      }
    }
  }

  void load(const SelectedMailbox& view) {
    for (const auto& m : view.messages()) {
      uids.push_back(m.uid);
      flags[m.uid] = flag_list(m.flags, m.recent);
    }
  }
};

class SelectedMailboxTest : public store::InboxFixture {
 protected:
  void SetUp() override {
    InboxFixture::SetUp();
    account_ = create_account("ann").value().id;
    mailbox_ = inbox().mailbox(account_, "INBOX").value();
  }

  SelectedMailbox open(bool read_only = false) {
    return SelectedMailbox::open(inbox(), mailbox_, recent_, read_only).value();
  }

  // The view agrees with what the client was told, message by message.
  static void expect_client_matches(const ClientModel& client, const SelectedMailbox& view) {
    ASSERT_EQ(client.uids.size(), view.exists());
    for (std::uint32_t seq = 1; seq <= view.exists(); ++seq) {
      const auto& m = view.at(seq);
      ASSERT_EQ(client.uids[seq - 1], m.uid);
      if (!m.expunged) {
        EXPECT_EQ(client.flags.at(m.uid), flag_list(m.flags, m.recent)) << m.uid;
      }
    }
  }

  // The view holds exactly the store's entries with their flags.
  void expect_store_matches(const SelectedMailbox& view) {
    auto entries = inbox().entries(mailbox_.id).value();
    ASSERT_EQ(entries.size(), view.exists());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      EXPECT_EQ(entries[i].uid, view.messages()[i].uid);
      EXPECT_EQ(entries[i].flags, view.messages()[i].flags);
      EXPECT_FALSE(view.messages()[i].expunged);
    }
    EXPECT_EQ(view.highest_modseq(), inbox().mailbox_by_id(mailbox_.id).value().highest_modseq);
  }

  std::uint32_t arrive() { return deliver_one(account_, "Subject: x\r\n\r\nbody\r\n"); }

  store::AccountId account_ = 0;
  store::Mailbox mailbox_;
  RecentTable recent_;
};

TEST_F(SelectedMailboxTest, OpensWithEntriesAndClaimsRecent) {
  arrive();
  arrive();
  auto view = open();
  EXPECT_EQ(view.exists(), 2u);
  EXPECT_EQ(view.recent_count(), 2u);
  EXPECT_EQ(view.first_unseen(), 1u);
  EXPECT_EQ(open().recent_count(), 0u);  // claimed by the first
}

TEST_F(SelectedMailboxTest, SendsExpungesHighestFirst) {
  for (int i = 0; i < 5; ++i) arrive();
  auto view = open();
  ASSERT_TRUE(expunge(mailbox_.id, {2, 4}, false));
  auto updates = view.refresh(inbox(), true).value();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].kind, MailboxUpdate::Kind::expunge);
  EXPECT_EQ(updates[0].number, 4u);
  EXPECT_EQ(updates[1].number, 2u);
}

TEST_F(SelectedMailboxTest, KeepsExpungedMessagesInPlaceUntilAllowed) {
  for (int i = 0; i < 3; ++i) arrive();
  auto view = open();
  ASSERT_TRUE(expunge(mailbox_.id, {1}, false));
  auto held = view.refresh(inbox(), false).value();
  EXPECT_TRUE(held.empty());
  EXPECT_EQ(view.exists(), 3u);
  EXPECT_TRUE(view.at(1).expunged);
  auto later = view.refresh(inbox(), true).value();
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].number, 1u);
  EXPECT_EQ(view.exists(), 2u);
}

TEST_F(SelectedMailboxTest, ResolvesSequenceAndUidSets) {
  for (int i = 0; i < 4; ++i) arrive();
  ASSERT_TRUE(expunge(mailbox_.id, {2}, false));
  auto view = open();  // UIDs 1 3 4
  auto set = [](std::string_view s) { return parse_sequence_set(s).value(); };
  EXPECT_EQ(view.resolve(set("2:*"), false), (std::vector<std::uint32_t>{2, 3}));
  EXPECT_EQ(view.resolve(set("4"), false), std::nullopt);
  EXPECT_EQ(view.resolve(set("2:3"), true), (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(view.resolve(set("9:*"), true), (std::vector<std::uint32_t>{3}));
  EXPECT_EQ(view.resolve(set("2"), true), (std::vector<std::uint32_t>{}));
}

// Two sessions' views, random changes by "others", random refreshes.
TEST_F(SelectedMailboxTest, RandomInterleavingsConverge) {
  for (std::uint32_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    auto pick = [&](std::size_t n) {
      return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };
    for (int i = 0; i < 3; ++i) arrive();
    std::vector<SelectedMailbox> views{open(), open()};
    std::vector<ClientModel> clients(2);
    for (std::size_t v = 0; v < 2; ++v) clients[v].load(views[v]);

    for (int step = 0; step < 150; ++step) {
      auto live = uids_of(mailbox_.id);
      switch (pick(6)) {
        case 0:
        case 1:
          arrive();
          break;
        case 2:
          if (!live.empty()) {
            std::vector<std::uint32_t> gone;
            for (auto u : live)
              if (pick(4) == 0) gone.push_back(u);
            ASSERT_TRUE(expunge(mailbox_.id, gone, false));
          }
          break;
        case 3:
        case 4:
          if (!live.empty()) {
            MailFlags f;
            f.system = static_cast<std::uint8_t>(pick(32));
            if (pick(2)) f.keywords = {"$K" + std::to_string(pick(3))};
            auto op = static_cast<store::FlagOperation>(pick(3));
            ASSERT_TRUE(store_flags(mailbox_.id, {live[pick(live.size())]}, op, f));
          }
          break;
        case 5: {
          auto v = pick(2);
          bool allowed = pick(2) == 0;
          auto updates = views[v].refresh(inbox(), allowed).value();
          if (!allowed) {
            for (const auto& u : updates) ASSERT_NE(u.kind, MailboxUpdate::Kind::expunge);
          }
          clients[v].apply(updates, views[v]);
          expect_client_matches(clients[v], views[v]);
          if (allowed) expect_store_matches(views[v]);
          break;
        }
      }
    }
    // Every message is recent in exactly one of the two views.
    for (std::size_t v = 0; v < 2; ++v) {
      clients[v].apply(views[v].refresh(inbox(), true).value(), views[v]);
      expect_client_matches(clients[v], views[v]);
      expect_store_matches(views[v]);
    }
    for (std::uint32_t seq = 1; seq <= views[0].exists(); ++seq) {
      auto uid = views[0].at(seq).uid;
      EXPECT_NE(views[0].at(seq).recent, views[1].at(views[1].sequence_of(uid)).recent) << uid;
    }
    // Next seed on an empty mailbox.
    ASSERT_TRUE(expunge(mailbox_.id, uids_of(mailbox_.id), false));
  }
}

}  // namespace
}  // namespace postern::imap
