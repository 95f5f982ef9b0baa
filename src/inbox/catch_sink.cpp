#include "inbox/catch_sink.h"

#include <algorithm>

#include "core/caught_mail.h"
#include "inbox/summary.h"

namespace postern::inbox {

CatchSink::CatchSink(store::InboxStore& store, const Clock& clock, CatchOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

Result<std::vector<CatchSink::Target>> CatchSink::targets_of(
    const providers::OutboundMessage& message, std::vector<providers::InboxFiling>& missing) {
  std::vector<Target> out;
  if (message.catch_account() > 0) {
    auto account = store_.account(message.catch_account());
    if (account) {
      out.push_back({account->id, account->user});
    } else if (account.error() == Errc::not_found) {
      missing.push_back({"#" + std::to_string(message.catch_account()), 0, account.error()});
    } else {
      return account.error();
    }
    return out;
  }
  auto add = [&out](const store::InboxAccount& a) {
    bool known = std::any_of(out.begin(), out.end(), [&](const Target& t) { return t.id == a.id; });
    if (!known) out.push_back({a.id, a.user});
  };
  // Mail the MX took is for its recipients' accounts alone: one deleted
  // since is reported, never handed to the catch-all.
  bool mx = message.catch_account() == kCatchForRecipients;
  bool other = false;  // a recipient no test account answers for
  for (const auto& r : message.envelope().recipients) {
    auto account = address_in_domain(r.address, options_.domain)
                       ? store_.account_by_address(r.address)
                       : Result<store::InboxAccount>(error_code(Errc::not_found));
    if (account) {
      add(*account);
    } else if (account.error() != Errc::not_found) {
      return account.error();
    } else if (mx) {
      missing.push_back({r.address, 0, account.error()});
    } else {
      other = true;  // an outside address or a test address nobody has: the catch-all keeps it
    }
  }
  if (other) {
    auto catch_all = store_.account_by_user(options_.catch_all_user);
    if (catch_all) {
      add(*catch_all);
    } else if (catch_all.error() != Errc::not_found) {
      return catch_all.error();
    }
  }
  return out;
}

void CatchSink::file(std::shared_ptr<const providers::OutboundMessage> message,
                     std::function<void(Result<std::vector<providers::InboxFiling>>)> done) {
  std::vector<providers::InboxFiling> missing;
  auto targets = targets_of(*message, missing);
  if (!targets) return done(targets.error());
  if (targets->empty()) return done(std::move(missing));
  auto raw = message->mime();
  if (!raw) return done(raw.error());
  store::InboxDelivery delivery;
  delivery.content = **raw;
  delivery.summary = summarize(delivery.content);
  delivery.internal_date = clock_.now();
  delivery.source = message->id();
  for (const auto& t : *targets) delivery.targets.push_back({t.id, "INBOX", {}});
  store_.deliver(
      std::move(delivery),
      [targets = std::move(*targets), missing = std::move(missing),
       done = std::move(done)](Result<std::vector<store::DeliveredCopy>> copies) mutable {
        if (!copies) return done(copies.error());
        std::vector<providers::InboxFiling> filed = std::move(missing);
        for (std::size_t i = 0; i < copies->size() && i < targets.size(); ++i) {
          const auto& c = (*copies)[i];
          filed.push_back({targets[i].user, c.uid, c.error});
        }
        done(std::move(filed));
      });
}

}  // namespace postern::inbox
