#include "imap/session/selected_mailbox.h"

#include <algorithm>
#include <unordered_set>

namespace postern::imap {
namespace {

using store::SystemFlag;

// The order Dovecot writes them in, which clients and our transcripts expect.
constexpr std::pair<SystemFlag, const char*> kSystemFlags[] = {
    {SystemFlag::answered, "\\Answered"}, {SystemFlag::flagged, "\\Flagged"},
    {SystemFlag::deleted, "\\Deleted"},   {SystemFlag::seen, "\\Seen"},
    {SystemFlag::draft, "\\Draft"},
};

auto uid_less = [](const SelectedMailbox::Message& m, std::uint32_t uid) { return m.uid < uid; };

}  // namespace

std::string flag_list(const store::MailFlags& flags, bool recent) {
  std::string out = "(";
  auto add = [&](std::string_view flag) {
    if (out.size() > 1) out += ' ';
    out += flag;
  };
  for (auto [flag, name] : kSystemFlags)
    if (flags.has(flag)) add(name);
  if (recent) add("\\Recent");
  for (const auto& k : flags.keywords) add(k);
  out += ')';
  return out;
}

SelectedMailbox::SelectedMailbox(const store::Mailbox& mailbox, RecentTable& recent, bool read_only)
    : id_(mailbox.id),
      name_(mailbox.name),
      uid_validity_(mailbox.uid_validity),
      read_only_(read_only),
      recent_(&recent) {}

Result<SelectedMailbox> SelectedMailbox::open(store::InboxStore& store,
                                              const store::Mailbox& mailbox, RecentTable& recent,
                                              bool read_only) {
  SelectedMailbox view(mailbox, recent, read_only);
  // The modseq is read before the entries: a change landing between the two
  // reads is then reported again by the next changes_since, and taking a
  // change twice is harmless, whereas missing one is not.
  auto fresh = store.mailbox_by_id(mailbox.id);
  if (!fresh) return fresh.error();
  auto entries = store.entries(mailbox.id);
  if (!entries) return entries.error();
  view.modseq_ = fresh->highest_modseq;
  view.uid_next_ = fresh->uid_next;
  for (auto& e : *entries) view.messages_.push_back({e.uid, std::move(e.flags), false, false});
  if (!view.messages_.empty())
    view.uid_next_ = std::max(view.uid_next_, view.messages_.back().uid + 1);
  view.claim_recent(0);
  return view;
}

void SelectedMailbox::claim_recent(std::size_t from) {
  if (from >= messages_.size()) return;
  // EXAMINE must not take \Recent away from other sessions (RFC 3501
  // §6.3.2): it shows what is unclaimed without claiming it.
  std::uint32_t before =
      read_only_ ? recent_->claimed(id_) : recent_->claim(id_, messages_.back().uid);
  for (std::size_t i = from; i < messages_.size(); ++i)
    messages_[i].recent = messages_[i].uid > before;
}

Result<std::vector<MailboxUpdate>> SelectedMailbox::refresh(store::InboxStore& store,
                                                            bool expunges_allowed) {
  auto changes = store.changes_since(id_, modseq_);
  if (!changes) return changes.error();
  if (!changes->complete) {
    // Expunges that old are forgotten: take the whole list and work out
    // which of ours are gone.
    auto all = store.entries(id_);
    if (!all) return all.error();
    std::unordered_set<std::uint32_t> present;
    for (const auto& e : *all) present.insert(e.uid);
    changes->expunged.clear();
    for (const auto& m : messages_)
      if (!present.contains(m.uid)) changes->expunged.push_back(m.uid);
    changes->changed = std::move(*all);
  }
  // New UIDs are appended in order: take the changes in UID order whatever
  // order the store answers them in.
  std::sort(changes->changed.begin(), changes->changed.end(),
            [](const auto& a, const auto& b) { return a.uid < b.uid; });
  std::size_t known = messages_.size();
  std::vector<std::uint32_t> flag_changes;  // UIDs
  for (auto uid : changes->expunged) {
    auto it = std::lower_bound(messages_.begin(), messages_.end(), uid, uid_less);
    if (it != messages_.end() && it->uid == uid && !it->expunged) {
      it->expunged = true;
      ++marked_expunged_;
    }
  }
  for (auto& e : changes->changed) {
    auto it = std::lower_bound(messages_.begin(), messages_.end(), e.uid, uid_less);
    if (it != messages_.end() && it->uid == e.uid) {
      if (!it->expunged && it->flags != e.flags) {
        it->flags = std::move(e.flags);
        if (std::find(flag_changes.begin(), flag_changes.end(), e.uid) == flag_changes.end())
          flag_changes.push_back(e.uid);
      }
    } else if (it == messages_.end()) {
      // New mail. The store gives UIDs in commit order, so a UID below one
      // the view holds and not in it was expunged already: never seen here.
      messages_.push_back({e.uid, std::move(e.flags), false, false});
      uid_next_ = std::max(uid_next_, e.uid + 1);
    }
  }
  modseq_ = std::max(modseq_, changes->highest_modseq);

  // New messages were appended after the `known` ones and are never marked
  // expunged (expunges are marked before they are appended).
  std::size_t arrived = messages_.size() - known;
  std::vector<MailboxUpdate> updates;
  if (expunges_allowed) updates = drop_expunged();
  if (arrived > 0) {
    claim_recent(messages_.size() - arrived);
    updates.push_back({MailboxUpdate::Kind::exists, exists(), 0, {}});
    updates.push_back({MailboxUpdate::Kind::recent, recent_count(), 0, {}});
  }
  for (auto uid : flag_changes) {
    auto seq = sequence_of(uid);
    const auto& m = at(seq);
    updates.push_back({MailboxUpdate::Kind::flags, seq, uid, flag_list(m.flags, m.recent)});
  }
  return updates;
}

std::vector<MailboxUpdate> SelectedMailbox::drop_expunged() {
  std::vector<MailboxUpdate> out;
  // Most commands find nothing expunged: no pass over a large view then.
  if (marked_expunged_ == 0) return out;
  marked_expunged_ = 0;
  for (std::size_t i = messages_.size(); i-- > 0;) {
    if (!messages_[i].expunged) continue;
    out.push_back({MailboxUpdate::Kind::expunge, static_cast<std::uint32_t>(i + 1), 0, {}});
    messages_.erase(messages_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return out;
}

void SelectedMailbox::apply(const std::vector<store::FlagUpdate>& updates) {
  for (const auto& u : updates) {
    auto it = std::lower_bound(messages_.begin(), messages_.end(), u.uid, uid_less);
    if (it != messages_.end() && it->uid == u.uid && !it->expunged) it->flags = u.flags;
  }
}

std::optional<std::vector<std::uint32_t>> SelectedMailbox::resolve(const SequenceSet& set,
                                                                   bool uids) const {
  std::vector<std::uint32_t> out;
  if (uids) {
    // Each range found by binary search (the view is in UID order): a
    // command naming a few UIDs of a large mailbox costs no pass over it.
    // The ranges come sorted and merged, so the numbers come ascending.
    std::uint32_t largest = messages_.empty() ? 0 : messages_.back().uid;
    for (auto [first, last] : set.resolve(largest)) {
      auto it = std::lower_bound(messages_.begin(), messages_.end(), first, uid_less);
      for (; it != messages_.end() && it->uid <= last; ++it)
        out.push_back(static_cast<std::uint32_t>(it - messages_.begin() + 1));
    }
    return out;
  }
  auto n = exists();
  for (auto [first, last] : set.resolve(n)) {
    if (first == 0 || last > n) return std::nullopt;
    for (auto seq = first; seq <= last; ++seq) out.push_back(seq);
  }
  return out;
}

std::uint32_t SelectedMailbox::recent_count() const {
  return static_cast<std::uint32_t>(
      std::count_if(messages_.begin(), messages_.end(), [](const auto& m) { return m.recent; }));
}

std::uint32_t SelectedMailbox::first_unseen() const {
  for (std::size_t i = 0; i < messages_.size(); ++i)
    if (!messages_[i].flags.has(store::SystemFlag::seen)) return static_cast<std::uint32_t>(i + 1);
  return 0;
}

std::uint32_t SelectedMailbox::sequence_of(std::uint32_t uid) const {
  auto it = std::lower_bound(messages_.begin(), messages_.end(), uid, uid_less);
  if (it == messages_.end() || it->uid != uid) return 0;
  return static_cast<std::uint32_t>(it - messages_.begin() + 1);
}

}  // namespace postern::imap
