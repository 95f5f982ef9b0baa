// SQLite's default page cache (pcache1), wrapped so that a commit does not
// scan the whole cache for pages past the end of the database.
//
// Why: after every transaction SQLite drops the cached pages numbered past
// the database's size (sqlite3PcacheTruncate). pcache1 knows only the
// highest page number it ever held, and a B-tree split that puts its new
// pages in order parks one of them, for a moment, at the page after the
// lock byte (1 GiB / page size + 1, page 262145 at 4 KiB). While the
// database is smaller than 1 GiB, the next commit then walks every slot of
// the cache's hash table, however few pages it changed: with the writer's
// 64 MiB cache, a fifth of the writer's time beside provider webhooks
// (perf, bench/events.sh). This wrapper remembers the highest page number
// the cache holds, leaving out that parking place, which is empty again
// before the split returns, and asks pcache1 to drop pages only when some
// may lie past the end. Everything else is pcache1's.
#pragma once

struct sqlite3_pcache_methods2;

namespace postern::store::sqlite {

// Makes the wrapped page cache SQLite's, once per process. It must run
// before SQLite is initialized (before the first connection opens), since
// the page cache is a process-wide setting of SQLite's; Database::open
// calls it. Whether the wrapper is in place: false if SQLite was
// initialized before (the default cache then serves, only slower).
bool install_page_cache();

// The wrapped methods, as SQLite is given them (for tests that drive a
// cache directly).
const sqlite3_pcache_methods2& page_cache_methods();

}  // namespace postern::store::sqlite
