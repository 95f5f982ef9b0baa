#include "store/event_writes.h"

#include <atomic>
#include <memory>
#include <mutex>

namespace postern::store {
namespace {

// The answers of a batch's parts, joined: `done` runs once, after the
// last part's answer, with every outcome in the batch's order, or with the
// first error of a part.
class JoinedOutcomes {
 public:
  JoinedOutcomes(std::size_t parts, Completion<std::vector<EventOutcome>> done)
      : parts_(parts), remaining_(parts), done_(std::move(done)) {}

  void answer(std::size_t part, Result<std::vector<EventOutcome>> r) {
    {
      std::lock_guard lock(mu_);
      if (!r && !failed_) failed_ = r.error();
      if (r) parts_[part] = std::move(*r);
    }
    if (remaining_.fetch_sub(1) != 1) return;
    if (failed_) return done_(failed_);
    std::vector<EventOutcome> all;
    for (auto& p : parts_) all.insert(all.end(), p.begin(), p.end());
    done_(std::move(all));
  }

 private:
  std::mutex mu_;
  std::vector<std::vector<EventOutcome>> parts_;  // guarded by mu_
  error_code failed_;                             // guarded by mu_ until remaining_ is 0
  std::atomic<std::size_t> remaining_;
  Completion<std::vector<EventOutcome>> done_;
};

}  // namespace

void record_events_in_parts(GroupCommitter& committer, std::vector<events::ProviderEvent> batch,
                            RecordEvents record, Completion<std::vector<EventOutcome>> done) {
  auto record_part = [record](std::vector<events::ProviderEvent> part) {
    return [record, part = std::move(part)]() { return record(part); };
  };
  if (batch.size() <= kEventsPerWrite) {
    committer.submit<std::vector<EventOutcome>>(record_part(std::move(batch)), std::move(done),
                                                Lane::bulk);
    return;
  }
  const auto parts = (batch.size() + kEventsPerWrite - 1) / kEventsPerWrite;
  auto joined = std::make_shared<JoinedOutcomes>(parts, std::move(done));
  for (std::size_t p = 0; p < parts; ++p) {
    auto first = batch.begin() + static_cast<std::ptrdiff_t>(p * kEventsPerWrite);
    auto last = p + 1 == parts ? batch.end() : first + static_cast<std::ptrdiff_t>(kEventsPerWrite);
    std::vector<events::ProviderEvent> part(std::make_move_iterator(first),
                                            std::make_move_iterator(last));
    committer.submit<std::vector<EventOutcome>>(
        record_part(std::move(part)),
        [joined, p](Result<std::vector<EventOutcome>> r) { joined->answer(p, std::move(r)); },
        Lane::bulk);
  }
}

void submit_yes_no(GroupCommitter& committer, std::function<Result<bool>()> apply,
                   Completion<bool> done) {
  struct Answer {
    bool yes;
  };
  committer.submit<Answer>(
      [apply = std::move(apply)]() -> Result<Answer> {
        auto r = apply();
        if (!r) return r.error();
        return Answer{*r};
      },
      [done = std::move(done)](Result<Answer> r) {
        if (!r) return done(Result<bool>(boost::system::in_place_error, r.error()));
        done(r->yes);
      });
}

}  // namespace postern::store
