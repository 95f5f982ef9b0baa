#include "store/sqlite/page_cache.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <new>

namespace postern::store::sqlite {
namespace {

// SQLite's lock byte (PENDING_BYTE, unchanged in every build SQLite ships):
// the page after the one holding it is where a split parks a page.
constexpr unsigned kLockByte = 0x40000000;

// One connection's cache: pcache1's, and the highest page number in it.
struct TrackedCache {
  sqlite3_pcache* inner;
  unsigned parking_page;
  unsigned highest = 0;  // an upper bound: evicted pages are not subtracted
};

TrackedCache* tracked(sqlite3_pcache* cache) { return reinterpret_cast<TrackedCache*>(cache); }

// pcache1's methods. The page cache's methods carry no context of their
// own, so the ones wrapped are kept here; set once, before SQLite starts,
// and never changed after.
sqlite3_pcache_methods2& base() {
  static sqlite3_pcache_methods2 methods{};
  return methods;
}

void note(TrackedCache* cache, unsigned page) {
  if (page != cache->parking_page) cache->highest = std::max(cache->highest, page);
}

sqlite3_pcache* create(int page_size, int extra, int purgeable) {
  auto* inner = base().xCreate(page_size, extra, purgeable);
  if (!inner) return nullptr;
  auto* cache =
      new (std::nothrow) TrackedCache{inner, kLockByte / static_cast<unsigned>(page_size) + 1};
  if (!cache) base().xDestroy(inner);
  return reinterpret_cast<sqlite3_pcache*>(cache);
}

void cache_size(sqlite3_pcache* cache, int pages) {
  base().xCachesize(tracked(cache)->inner, pages);
}

int page_count(sqlite3_pcache* cache) { return base().xPagecount(tracked(cache)->inner); }

sqlite3_pcache_page* fetch(sqlite3_pcache* cache, unsigned page, int create_flag) {
  auto* found = base().xFetch(tracked(cache)->inner, page, create_flag);
  if (found) note(tracked(cache), page);
  return found;
}

void unpin(sqlite3_pcache* cache, sqlite3_pcache_page* page, int discard) {
  base().xUnpin(tracked(cache)->inner, page, discard);
}

void rekey(sqlite3_pcache* cache, sqlite3_pcache_page* page, unsigned from, unsigned to) {
  base().xRekey(tracked(cache)->inner, page, from, to);
  note(tracked(cache), to);
}

// Drops the pages numbered `limit` and up. None can be there when every
// page the cache took is below `limit` (a page at the parking place is
// moved on within the split that put it there).
void truncate(sqlite3_pcache* cache, unsigned limit) {
  auto* c = tracked(cache);
  if (limit > c->highest) return;
  base().xTruncate(c->inner, limit);
  c->highest = limit - 1;
}

void destroy(sqlite3_pcache* cache) {
  base().xDestroy(tracked(cache)->inner);
  delete tracked(cache);
}

void shrink(sqlite3_pcache* cache) { base().xShrink(tracked(cache)->inner); }

int init(void*) { return base().xInit(base().pArg); }

void shutdown(void*) {
  if (base().xShutdown) base().xShutdown(base().pArg);
}

constexpr sqlite3_pcache_methods2 kWrapped{1,          nullptr,    init,  shutdown, create,
                                           cache_size, page_count, fetch, unpin,    rekey,
                                           truncate,   destroy,    shrink};

}  // namespace

bool install_page_cache() {
  static std::once_flag once;
  static bool installed = false;
  std::call_once(once, [] {
    sqlite3_pcache_methods2 current{};
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &current) != SQLITE_OK) return;
    base() = current;
    installed = sqlite3_config(SQLITE_CONFIG_PCACHE2, &kWrapped) == SQLITE_OK;
  });
  return installed;
}

const sqlite3_pcache_methods2& page_cache_methods() { return kWrapped; }

}  // namespace postern::store::sqlite
