// The commands of the authenticated state (RFC 3501 §6.3): SELECT and
// EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB,
// STATUS.
#include <algorithm>
#include <map>
#include <set>

#include "imap/mailbox_name.h"
#include "imap/session/list_pattern.h"
#include "imap/session/session_fsm.h"
#include "mime/imap_string.h"

namespace postern::imap {
namespace {

constexpr std::string_view kSystemFlagList = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

// A name as a LIST or STATUS answer writes it: modified UTF-7, quoted.
std::string wire_name(std::string_view utf8) {
  // Store names were checked as UTF-8 when created, so encoding succeeds.
  return mime::imap_string(encode_mailbox_name(utf8).value_or(std::string(utf8)));
}

// The keywords any message of the view has, for FLAGS.
std::string keywords_in_use(const SelectedMailbox& view) {
  std::set<std::string> keywords;
  for (const auto& m : view.messages())
    keywords.insert(m.flags.keywords.begin(), m.flags.keywords.end());
  std::string out;
  for (const auto& k : keywords) out += " " + k;
  return out;
}

}  // namespace

void SessionFsm::handle(const Select& c) {
  // RFC 3501 §6.3.1: a SELECT, even a failing one, leaves the mailbox
  // that was selected.
  selected_.reset();
  state_ = State::authenticated;
  auto name = store_name(c.mailbox);
  if (!name) return;
  auto mailbox = store_.mailbox(account_->id, *name);
  if (!mailbox) return no_for(mailbox.error());
  auto view = SelectedMailbox::open(store_, *mailbox, recent_, c.read_only);
  if (!view) return no_for(view.error());
  selected_ = std::move(*view);
  state_ = State::selected;
  const auto& v = *selected_;
  untagged("FLAGS (" + std::string(kSystemFlagList) + keywords_in_use(v) + ")");
  untagged(c.read_only
               ? "OK [PERMANENTFLAGS ()] Read-only mailbox."
               : "OK [PERMANENTFLAGS (" + std::string(kSystemFlagList) + " \\*)] Flags permitted.");
  untagged(std::to_string(v.exists()) + " EXISTS");
  untagged(std::to_string(v.recent_count()) + " RECENT");
  if (auto unseen = v.first_unseen())
    untagged("OK [UNSEEN " + std::to_string(unseen) + "] First unseen.");
  untagged("OK [UIDVALIDITY " + std::to_string(v.uid_validity()) + "] UIDs valid.");
  untagged("OK [UIDNEXT " + std::to_string(v.uid_next()) + "] Predicted next UID.");
  ok(c.read_only ? "[READ-ONLY] Examine completed." : "[READ-WRITE] Select completed.");
}

void SessionFsm::handle(const Create& c) {
  auto name = store_name(c.mailbox);
  if (!name) return;
  // RFC 3501 §6.3.3: "foo/" creates "foo".
  while (!name->empty() && name->back() == kDelimiter) name->pop_back();
  if (name->empty()) return no("[CANNOT] Invalid mailbox name.");
  call_store<store::Mailbox>(
      [id = account_->id, n = *name](store::InboxStore& s, auto done) {
        s.create_mailbox(id, n, std::move(done));
      },
      [this](Result<store::Mailbox> r) {
        if (!r) return no_for(r.error());
        ok("Create completed.");
      });
}

void SessionFsm::handle(const Delete& c) {
  auto name = store_name(c.mailbox);
  if (!name) return;
  if (*name == "INBOX") return no("[CANNOT] INBOX cannot be deleted.");
  // Other sessions with it selected see it go on their next refresh; this
  // one would lose its view under it.
  if (selected_ && selected_->name() == *name) return no("[INUSE] Mailbox is selected.");
  call_store<void>(
      [id = account_->id, n = *name](store::InboxStore& s, auto done) {
        s.delete_mailbox(id, n, std::move(done));
      },
      [this](Result<void> r) {
        if (!r) return no_for(r.error());
        ok("Delete completed.");
      });
}

void SessionFsm::handle(const Rename& c) {
  auto from = store_name(c.from);
  if (!from) return;
  auto to = store_name(c.to);
  if (!to) return;
  call_store<void>(
      [id = account_->id, f = *from, t = *to](store::InboxStore& s, auto done) {
        s.rename_mailbox(id, f, t, std::move(done));
      },
      [this](Result<void> r) {
        if (!r) return no_for(r.error());
        ok("Rename completed.");
      });
}

void SessionFsm::handle(const Subscribe& c) { set_subscribed(c.mailbox, true); }
void SessionFsm::handle(const Unsubscribe& c) { set_subscribed(c.mailbox, false); }

void SessionFsm::set_subscribed(const imap::Mailbox& mailbox, bool subscribed) {
  auto name = store_name(mailbox);
  if (!name) return;
  call_store<void>(
      [id = account_->id, n = *name, subscribed](store::InboxStore& s, auto done) {
        s.set_subscribed(id, n, subscribed, std::move(done));
      },
      [this, subscribed](Result<void> r) {
        if (!r) return no_for(r.error());
        ok(subscribed ? "Subscribe completed." : "Unsubscribe completed.");
      });
}

void SessionFsm::handle(const List& c) {
  const char* verb = c.subscribed_only ? "LSUB" : "LIST";
  auto done = [&] { ok(c.subscribed_only ? "Lsub completed." : "List completed."); };
  if (c.pattern.empty() && !c.subscribed_only) {
    // RFC 3501 §6.3.8: the delimiter and the root of the reference.
    untagged(std::string(verb) + " (\\Noselect) \"/\" \"\"");
    return done();
  }
  auto reference = decode_mailbox_name(c.reference.raw);
  auto pattern = decode_mailbox_name(c.pattern);
  if (!reference || !pattern) return done();  // no name can match
  auto full = list_pattern(*reference, *pattern);
  auto mailboxes = store_.list_mailboxes(account_->id);
  if (!mailboxes) return no_for(mailboxes.error());

  // name → selectable (exists); parents that do not exist are listed as
  // \Noselect so that a '%' walk of the hierarchy finds what is below.
  std::map<std::string, bool> names;
  for (const auto& m : *mailboxes) {
    if (c.subscribed_only && !m.subscribed) continue;
    names[m.name] = true;
    for (auto slash = m.name.find(kDelimiter); slash != std::string::npos;
         slash = m.name.find(kDelimiter, slash + 1))
      names.emplace(m.name.substr(0, slash), false);
  }
  // INBOX first, as clients show it.
  std::vector<std::pair<std::string, bool>> ordered(names.begin(), names.end());
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const auto& n) { return n.first == "INBOX"; });
  for (const auto& [name, selectable] : ordered) {
    if (!list_matches(full, name)) continue;
    std::string attributes;
    if (!selectable) attributes = "\\Noselect";
    if (!c.subscribed_only) {
      auto below = names.lower_bound(name + kDelimiter);
      bool children = below != names.end() && below->first.starts_with(name + kDelimiter);
      if (!attributes.empty()) attributes += ' ';
      attributes += children ? "\\HasChildren" : "\\HasNoChildren";
    }
    untagged(std::string(verb) + " (" + attributes + ") \"/\" " + wire_name(name));
  }
  done();
}

void SessionFsm::handle(const Status& c) {
  auto name = store_name(c.mailbox);
  if (!name) return;
  auto mailbox = store_.mailbox(account_->id, *name);
  if (!mailbox) return no_for(mailbox.error());
  auto counts = store_.mailbox_counts(mailbox->id);
  if (!counts) return no_for(counts.error());
  std::string items;
  auto add = [&](std::string_view item, std::uint64_t value) {
    if (!items.empty()) items += ' ';
    items += item;
    items += ' ';
    items += std::to_string(value);
  };
  for (auto item : c.items) {
    switch (item) {
      case StatusItem::messages:
        add("MESSAGES", counts->exists);
        break;
      case StatusItem::recent: {
        // Messages no session has claimed yet (recent_table.h).
        auto entries = store_.entries(mailbox->id);
        if (!entries) return no_for(entries.error());
        auto claimed = recent_.claimed(mailbox->id);
        add("RECENT",
            static_cast<std::uint64_t>(std::count_if(
                entries->begin(), entries->end(), [&](const auto& e) { return e.uid > claimed; })));
        break;
      }
      case StatusItem::uidnext:
        add("UIDNEXT", mailbox->uid_next);
        break;
      case StatusItem::uidvalidity:
        add("UIDVALIDITY", mailbox->uid_validity);
        break;
      case StatusItem::unseen:
        add("UNSEEN", counts->unseen);
        break;
    }
  }
  untagged("STATUS " + wire_name(mailbox->name) + " (" + items + ")");
  ok("Status completed.");
}

}  // namespace postern::imap
