// The device's SPIFFS flash, stored in a host directory (--fs DIR).
//
// SPIFFS is flat: "http/index.html" is one name. Here a name with "/" lives in a subfolder of
// DIR, and listings show the flat name again. No name may ever reach outside DIR: names with
// empty, "." or ".." segments are refused, and every lookup is resolved by the kernel beneath
// DIR (openat2 RESOLVE_BENEATH; without openat2, symlinks are not followed at all). A refused
// name gets the device's outcome for a file that cannot be opened (open fails, exists is false).
//
// The file module, crypto.fhash and the loaders (dofile, loadfile, require) all go through it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nodemcu_emu::core::flash {

constexpr std::size_t k_name_max = 31;  // FS_OBJ_NAME_LEN (user_config.h): SPIFFS names
constexpr int k_max_open_files = 4;     // SPIFFS_MAX_OPEN_FILES (user_config.h)
// SPIFFS_info's total of the emulated flash: a 4 MB module leaves about 3 MB to SPIFFS.
constexpr std::uint64_t k_default_total_bytes = 3 * 1024 * 1024;
// file.fscfg(): where that partition would start on the chip.
constexpr std::uint32_t k_partition_address = 0x100000;

// The SPIFFS object name a file path means ("/FLASH/x" and "x" are both "x"), or nullopt when
// the path names another drive ("/SD0/x", "/x"): the vfs finds no file system for it.
std::optional<std::string_view> spiffs_name(std::string_view path);

// Whether a SPIFFS name can be stored in the host directory without leaving it: 1..31 bytes,
// no NUL, and no empty, "." or ".." segment between the "/"s.
bool host_safe(std::string_view name);

enum class Resolver {
  automatic,   // openat2(RESOLVE_BENEATH) when the kernel has it, else no_symlinks
  no_symlinks  // walk the name segment by segment with O_NOFOLLOW (tests force this one)
};

class FlashDir;

// One open SPIFFS file descriptor. Closed files answer every operation with failure, as
// SPIFFS does for a closed handle (SPIFFS_ERR_FILE_CLOSED).
class FlashFile {
 public:
  FlashFile(std::shared_ptr<FlashDir> dir, int fd, bool append);
  ~FlashFile();
  FlashFile(const FlashFile&) = delete;
  FlashFile& operator=(const FlashFile&) = delete;

  bool is_open() const { return fd_ >= 0; }
  void close();
  // Reads up to `n` bytes at the position; returns the count, 0 at end of file, -1 on error
  // (not readable, closed).
  long read(char* buffer, std::size_t n);
  // Writes all of `data` (at the end in append modes). False when the file is closed, not
  // writable, or the flash is full.
  bool write(std::string_view data);
  // SPIFFS_lseek: `whence` 0 set, 1 cur, 2 end. Before the start: fails, position kept; past
  // the end: fails, position moves to the end. Returns the new position.
  std::optional<std::int64_t> seek(int whence, std::int64_t offset);
  bool flush();

 private:
  std::shared_ptr<FlashDir> dir_;
  int fd_;
  bool append_;
};

class FlashDir : public std::enable_shared_from_this<FlashDir> {
 public:
  struct Entry {
    std::string name;
    std::uint64_t size;
  };

  // `root` is created (one level) if it does not exist, as the device formats an empty flash.
  FlashDir(std::string root, std::uint64_t total_bytes = k_default_total_bytes,
           Resolver resolver = Resolver::automatic);
  ~FlashDir();
  FlashDir(const FlashDir&) = delete;
  FlashDir& operator=(const FlashDir&) = delete;

  const std::string& root() const { return root_path_; }

  // `path` as the script gave it (with or without "/FLASH"). `mode` as fs_mode2flag reads it:
  // r w a r+ w+ a+, anything else is "r". nullptr when SPIFFS would fail: missing file in a
  // read mode, bad name, 4 files already open, not a regular file.
  std::shared_ptr<FlashFile> open(std::string_view path, std::string_view mode);
  std::optional<Entry> stat(std::string_view path);
  bool exists(std::string_view path) { return stat(path).has_value(); }
  // SPIFFS_remove; it needs a free descriptor, so it fails while 4 files are open.
  bool remove(std::string_view path);
  // SPIFFS_rename: fails if `from` is missing, `to` exists, or 4 files are open.
  bool rename(std::string_view from, std::string_view to);
  // Every file the device would list: regular files (and symlinks to regular files inside the
  // directory) whose flat name is a valid SPIFFS name. Unordered.
  std::vector<Entry> list();
  // Removes every listed file. Refuses (false) when the flash directory is the process's
  // working directory, where it would delete the user's own files.
  bool format();

  std::uint64_t total_bytes() const { return total_; }
  std::uint64_t used_bytes();
  int open_files() const;

 private:
  friend class FlashFile;
  int root_fd();
  int open_beneath(const std::string& name, int flags, unsigned mode = 0);
  int open_walk(const std::string& name, int flags, unsigned mode);
  int open_parent(const std::string& name, bool create);
  void prune_empty_parents(const std::string& name);
  void list_into(int dir_fd, const std::string& prefix, std::vector<Entry>& out);
  std::optional<Entry> stat_name(const std::string& name);
  // Called by FlashFile::write: may `growth` more bytes be stored?
  bool reserve(std::uint64_t growth);
  void forget_usage() { used_.reset(); }

  std::string root_path_;
  std::uint64_t total_;
  Resolver resolver_;
  bool have_openat2_ = true;
  int root_fd_ = -1;
  std::optional<std::uint64_t> used_;  // cache of used_bytes(), kept up to date by our writes
  std::vector<std::weak_ptr<FlashFile>> files_;
};

}  // namespace nodemcu_emu::core::flash
