#include "sim/common/id_counts.h"

#include "core/message_id.h"

namespace postern::sim {

namespace {

// A Postern id only when it reads back exactly (lower case, 13 characters),
// so "0ABC..." and "0abc..." are not merged into one key.
std::optional<std::uint64_t> postern_key(std::string_view id) {
  auto parsed = MessageId::parse(id);
  if (!parsed || parsed->to_string() != id) return std::nullopt;
  return parsed->value();
}

}  // namespace

void IdCounts::count(Counts& counts, Service service) {
  auto s = service_index(service);
  if (counts.total == 0) ++unique_[kServiceCount];
  if (counts.total == 1) ++duplicate_ids_[kServiceCount];
  if (counts.per_service[s] == 0) ++unique_[s];
  if (counts.per_service[s] == 1) ++duplicate_ids_[s];
  ++counts.total;
  if (counts.per_service[s] < UINT16_MAX) ++counts.per_service[s];
}

void IdCounts::add(Service service, std::string_view id) {
  if (auto key = postern_key(id)) {
    count(postern_ids_[*key], service);
    return;
  }
  auto it = other_ids_.find(std::string(id));
  if (it == other_ids_.end()) {
    if (other_ids_.size() >= kMaxOtherIds) {
      ++untracked_;
      return;
    }
    it = other_ids_.emplace(std::string(id), Counts{}).first;
  }
  count(it->second, service);
}

void IdCounts::clear() {
  postern_ids_.clear();
  other_ids_.clear();
  unique_.fill(0);
  duplicate_ids_.fill(0);
  untracked_ = 0;
}

void IdCounts::for_each(
    const std::function<void(const std::string& id, const Counts& counts)>& visit) const {
  for (const auto& [key, counts] : postern_ids_) visit(MessageId(key).to_string(), counts);
  for (const auto& [id, counts] : other_ids_) visit(id, counts);
}

std::optional<IdCounts::Counts> IdCounts::find(std::string_view id) const {
  if (auto key = postern_key(id)) {
    auto it = postern_ids_.find(*key);
    if (it != postern_ids_.end()) return it->second;
    return std::nullopt;
  }
  auto it = other_ids_.find(std::string(id));
  if (it != other_ids_.end()) return it->second;
  return std::nullopt;
}

}  // namespace postern::sim
