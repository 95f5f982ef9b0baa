// How many times each Postern id arrived, per service and overall, so tests
// can prove that nothing was lost and count duplicates. Postern ids (13
// base32 characters) are kept as 64-bit keys in a flat table: about 24 bytes
// each, so 1,000,000 messages fit in tens of MB. Not thread-safe (Ledger
// locks).
#pragma once

#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sim/common/service_kind.h"

namespace postern::sim {

class IdCounts {
 public:
  // Ids that are not Postern ids (tests may send anything) are kept by text,
  // up to this many distinct ones; later ones are only counted as untracked.
  static constexpr std::size_t kMaxOtherIds = 100'000;

  struct Counts {
    std::uint32_t total = 0;
    std::array<std::uint16_t, kServiceCount> per_service{};  // saturate at 65535
  };

  // Counts one arrival of a non-empty id.
  void add(Service service, std::string_view id);
  void clear();

  // Distinct ids seen (by one service, or overall with nullopt).
  std::uint64_t unique(std::optional<Service> service) const { return unique_[slot(service)]; }
  // Distinct ids seen more than once.
  std::uint64_t duplicate_ids(std::optional<Service> service) const {
    return duplicate_ids_[slot(service)];
  }
  std::uint64_t untracked() const { return untracked_; }

  // Every id with its counts, in no particular order.
  void for_each(
      const std::function<void(const std::string& id, const Counts& counts)>& visit) const;
  // One id's counts; nullopt when never seen.
  std::optional<Counts> find(std::string_view id) const;

 private:
  static std::size_t slot(std::optional<Service> s) {
    return s ? service_index(*s) : kServiceCount;
  }
  void count(Counts& counts, Service service);

  boost::unordered_flat_map<std::uint64_t, Counts> postern_ids_;
  std::unordered_map<std::string, Counts> other_ids_;
  std::array<std::uint64_t, kServiceCount + 1> unique_{};
  std::array<std::uint64_t, kServiceCount + 1> duplicate_ids_{};
  std::uint64_t untracked_ = 0;
};

}  // namespace postern::sim
