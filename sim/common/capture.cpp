#include "sim/common/capture.h"

#include <algorithm>

namespace postern::sim {

std::size_t Receipt::weight() const {
  std::size_t n = sizeof(Receipt) + provider_message_id.size() + method.size() + target.size() +
                  body.size() + envelope.helo.size() + envelope.auth_user.size() +
                  envelope.mail_from.size();
  for (const auto& [k, v] : headers) n += k.size() + v.size() + 2 * sizeof(std::string);
  for (const auto& r : envelope.rcpt_to) n += r.size() + sizeof(std::string);
  for (const auto& r : recipients) n += r.size() + sizeof(std::string);
  return n;
}

void Capture::add(const std::string& postern_id, Receipt receipt) {
  auto weight = receipt.weight() + postern_id.size();
  if (weight > budget_) return;
  while (held_ + weight > budget_ && !entries_.empty()) evict_oldest();
  by_id_[postern_id].push_back(first_seq_ + entries_.size());
  entries_.push_back(Entry{postern_id, std::move(receipt)});
  held_ += weight;
}

void Capture::evict_oldest() {
  auto& front = entries_.front();
  held_ -= front.receipt.weight() + front.postern_id.size();
  auto it = by_id_.find(front.postern_id);
  if (it != by_id_.end()) {
    auto& seqs = it->second;
    // The oldest entry is the first of its id's list.
    if (!seqs.empty() && seqs.front() == first_seq_) seqs.pop_front();
    if (seqs.empty()) by_id_.erase(it);
  }
  entries_.pop_front();
  ++first_seq_;
}

std::vector<Receipt> Capture::find(const std::string& postern_id) const {
  std::vector<Receipt> out;
  auto it = by_id_.find(postern_id);
  if (it == by_id_.end()) return out;
  for (auto seq : it->second) out.push_back(entries_[seq - first_seq_].receipt);
  return out;
}

void Capture::clear() {
  entries_.clear();
  by_id_.clear();
  held_ = 0;
  first_seq_ = 0;
}

}  // namespace postern::sim
