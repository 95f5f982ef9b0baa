// The ids of GET /v1/events. An id is a boot number (the node's start,
// numbered by the store, so it survives restarts and crashes and is unique
// among the nodes sharing a store) in the high bits and a sequence within
// that boot in the low bits:
//
//   id = boot << 32 | sequence     (boot 1 .. 2^21 - 1, sequence 1 .. 2^32 - 1)
//
// So ids increase across restarts without trusting the clock, two nodes
// never give out the same id, and the bus knows from an id alone whether it
// is from its own boot (resume after it) or not (replay from its boot's
// start). 53 bits in all: JavaScript clients read them exactly as numbers.
// Sequence 0 never names an event: `boot << 32` is "the start of that boot",
// the position a client resumes from to get the whole boot.
#pragma once

#include <cstdint>

namespace postern::routing {

inline constexpr int kEventSequenceBits = 32;
inline constexpr std::uint64_t kMaxEventSequence = (std::uint64_t{1} << kEventSequenceBits) - 1;
inline constexpr std::uint32_t kMaxEventBoot = (std::uint32_t{1} << 21) - 1;

// The boot number ids carry for the store's boot counter `n` (1, 2, ...):
// itself up to kMaxEventBoot, then around again from 1 (after two million
// starts; an id kept by a client that long could then be taken for one of
// the current boot's, a risk accepted for ids that JavaScript reads exactly).
constexpr std::uint32_t event_boot_for(std::uint64_t n) {
  return static_cast<std::uint32_t>((n == 0 ? 0 : (n - 1) % kMaxEventBoot) + 1);
}

constexpr std::uint64_t event_id(std::uint32_t boot, std::uint64_t sequence) {
  return (std::uint64_t{boot} << kEventSequenceBits) | (sequence & kMaxEventSequence);
}

constexpr std::uint32_t event_id_boot(std::uint64_t id) {
  return static_cast<std::uint32_t>(id >> kEventSequenceBits);
}

constexpr std::uint64_t event_id_sequence(std::uint64_t id) { return id & kMaxEventSequence; }

}  // namespace postern::routing
