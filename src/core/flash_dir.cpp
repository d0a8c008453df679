#include "core/flash_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace nodemcu_emu::core::flash {

namespace {

// fs_mode2flag (app/spiffs/spiffs.c): unknown modes open read-only.
int mode_flags(std::string_view mode) {
  if (mode == "w") return O_WRONLY | O_CREAT | O_TRUNC;
  if (mode == "a") return O_WRONLY | O_CREAT | O_APPEND;
  if (mode == "r+") return O_RDWR;
  if (mode == "w+") return O_RDWR | O_CREAT | O_TRUNC;
  if (mode == "a+") return O_RDWR | O_CREAT | O_APPEND;
  return O_RDONLY;
}

std::string_view base_of(std::string_view name) {
  auto slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

// Closes a descriptor when the scope ends.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  explicit operator bool() const { return fd >= 0; }
};

std::optional<std::uint64_t> regular_size(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace

std::optional<std::string_view> spiffs_name(std::string_view path) {
  if (path.empty() || path[0] != '/') return path;  // the current drive is the flash
  // myspiffs_realm: "/FLASH" then an optional "/" (it compares only the five letters).
  if (path.substr(1, 5) != "FLASH") return std::nullopt;
  std::string_view rest = path.substr(6);
  if (!rest.empty() && rest[0] == '/') rest.remove_prefix(1);
  return rest;
}

bool host_safe(std::string_view name) {
  if (name.empty() || name.size() > k_name_max) return false;
  if (name.find('\0') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t end = name.find('/', start);
    std::string_view segment =
        name.substr(start, end == std::string_view::npos ? end : end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// FlashFile

FlashFile::FlashFile(std::shared_ptr<FlashDir> dir, int fd, bool append)
    : dir_(std::move(dir)), fd_(fd), append_(append) {}

FlashFile::~FlashFile() {
  close();
}

void FlashFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

long FlashFile::read(char* buffer, std::size_t n) {
  if (fd_ < 0) return -1;
  while (true) {
    ssize_t got = ::read(fd_, buffer, n);
    if (got >= 0) return static_cast<long>(got);
    if (errno != EINTR) return -1;
  }
}

bool FlashFile::write(std::string_view data) {
  if (fd_ < 0) return false;
  int access = fcntl(fd_, F_GETFL) & O_ACCMODE;
  if (access == O_RDONLY) return false;  // SPIFFS_ERR_NOT_WRITABLE
  struct stat st;
  if (fstat(fd_, &st) != 0) return false;
  auto size = static_cast<std::uint64_t>(st.st_size);
  off_t cur = lseek(fd_, 0, SEEK_CUR);
  std::uint64_t at = append_ || cur < 0 ? size : static_cast<std::uint64_t>(cur);
  std::uint64_t end = at + data.size();
  if (!dir_->reserve(end > size ? end - size : 0)) return false;  // SPIFFS_ERR_FULL
  while (!data.empty()) {
    ssize_t put = ::write(fd_, data.data(), data.size());
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) {
      dir_->forget_usage();
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(put));
  }
  return true;
}

std::optional<std::int64_t> FlashFile::seek(int whence, std::int64_t offset) {
  if (fd_ < 0) return std::nullopt;
  struct stat st;
  if (fstat(fd_, &st) != 0) return std::nullopt;
  std::int64_t size = st.st_size;
  std::int64_t cur = lseek(fd_, 0, SEEK_CUR);
  std::int64_t base = whence == 0 ? 0 : whence == 1 ? cur : size;
  std::int64_t target = 0;
  // A script's offset can be anything: a sum past the int64 range is before the start or past
  // the end like any other.
  if (__builtin_add_overflow(base, offset, &target))
    target = offset < 0 ? -1 : std::numeric_limits<std::int64_t>::max();
  if (target < 0) return std::nullopt;  // SPIFFS_ERR_SEEK_BOUNDS, position kept
  if (target > size) {                  // SPIFFS_ERR_END_OF_OBJECT, position at the end
    lseek(fd_, size, SEEK_SET);
    return std::nullopt;
  }
  if (lseek(fd_, target, SEEK_SET) < 0) return std::nullopt;
  return target;
}

bool FlashFile::flush() {
  return fd_ >= 0;
}  // every write is already in the host file

// ---------------------------------------------------------------------------------------------
// FlashDir

FlashDir::FlashDir(std::string root, std::uint64_t total_bytes, Resolver resolver)
    : root_path_(root.empty() ? std::string(".") : std::move(root)),
      total_(total_bytes),
      resolver_(resolver) {}

FlashDir::~FlashDir() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

int FlashDir::root_fd() {
  if (root_fd_ >= 0) return root_fd_;
  root_fd_ = ::open(root_path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0 && errno == ENOENT && ::mkdir(root_path_.c_str(), 0777) == 0)
    root_fd_ = ::open(root_path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  return root_fd_;
}

int FlashDir::open_beneath(const std::string& name, int flags, unsigned mode) {
  int root = root_fd();
  if (root < 0) return -1;
  if (resolver_ == Resolver::automatic && have_openat2_) {
    struct open_how how = {};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    // The kernel refuses any step (symlink, "..", absolute link) that would leave the root.
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, root, name.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != ENOSYS && errno != EPERM) return -1;
    have_openat2_ = false;  // old kernel or a seccomp filter: fall back to the strict walk
  }
  return open_walk(name, flags, mode);
}

// Without openat2: follow no symlink at all, segment by segment.
int FlashDir::open_walk(const std::string& name, int flags, unsigned mode) {
  int dir = fcntl(root_fd(), F_DUPFD_CLOEXEC, 0);
  std::size_t start = 0;
  while (dir >= 0) {
    std::size_t slash = name.find('/', start);
    std::string segment = name.substr(start, slash == std::string::npos ? slash : slash - start);
    if (slash == std::string::npos) {
      int fd = openat(dir, segment.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
      ::close(dir);
      return fd;
    }
    int next = openat(dir, segment.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    ::close(dir);
    dir = next;
    start = slash + 1;
  }
  return -1;
}

int FlashDir::open_parent(const std::string& name, bool create) {
  std::size_t slash = name.rfind('/');
  if (slash == std::string::npos) return root_fd() < 0 ? -1 : fcntl(root_fd_, F_DUPFD_CLOEXEC, 0);
  std::string folder = name.substr(0, slash);
  int fd = open_beneath(folder, O_PATH | O_DIRECTORY);
  if (fd >= 0 || !create || errno != ENOENT) return fd;
  // Create the missing folders one by one, each inside a folder resolved beneath the root.
  std::size_t end = 0;
  while (end != std::string::npos) {
    end = folder.find('/', end + 1);
    std::string prefix = folder.substr(0, end);
    Fd up(open_parent(prefix, false));
    if (!up) return -1;
    std::string base(base_of(prefix));
    if (mkdirat(up.fd, base.c_str(), 0777) != 0 && errno != EEXIST) return -1;
  }
  return open_beneath(folder, O_PATH | O_DIRECTORY);
}

void FlashDir::prune_empty_parents(const std::string& name) {
  std::string folder = name;
  while (true) {
    std::size_t slash = folder.rfind('/');
    if (slash == std::string::npos) return;
    folder.resize(slash);
    Fd up(open_parent(folder, false));
    std::string base(base_of(folder));
    if (!up || unlinkat(up.fd, base.c_str(), AT_REMOVEDIR) != 0) return;  // not empty: done
  }
}

int FlashDir::open_files() const {
  int n = 0;
  for (const auto& weak : files_)
    if (auto f = weak.lock(); f && f->is_open()) ++n;
  return n;
}

std::shared_ptr<FlashFile> FlashDir::open(std::string_view path, std::string_view mode) {
  auto spiffs = spiffs_name(path);
  if (!spiffs || !host_safe(*spiffs) || open_files() >= k_max_open_files) return nullptr;
  std::string name(*spiffs);
  int flags = mode_flags(mode);
  if (flags & O_CREAT) {
    Fd parent(open_parent(name, true));
    if (!parent) return nullptr;
  }
  // O_NONBLOCK: a FIFO in the folder must not hang the open; it is refused just below.
  Fd fd(open_beneath(name, flags | O_NONBLOCK, 0666));
  if (!fd || !regular_size(fd.fd)) {
    if (flags & O_CREAT) prune_empty_parents(name);
    return nullptr;
  }
  fcntl(fd.fd, F_SETFL, fcntl(fd.fd, F_GETFL) & ~O_NONBLOCK);
  if (flags & O_TRUNC) forget_usage();
  auto file = std::make_shared<FlashFile>(shared_from_this(), fd.fd, (flags & O_APPEND) != 0);
  fd.fd = -1;  // the FlashFile owns it now
  std::erase_if(files_, [](const std::weak_ptr<FlashFile>& w) { return w.expired(); });
  files_.push_back(file);
  return file;
}

std::optional<FlashDir::Entry> FlashDir::stat_name(const std::string& name) {
  Fd fd(open_beneath(name, O_PATH));
  if (!fd) return std::nullopt;
  auto size = regular_size(fd.fd);
  if (!size) return std::nullopt;
  return Entry{name, *size};
}

std::optional<FlashDir::Entry> FlashDir::stat(std::string_view path) {
  auto spiffs = spiffs_name(path);
  if (!spiffs || !host_safe(*spiffs)) return std::nullopt;
  return stat_name(std::string(*spiffs));
}

bool FlashDir::remove(std::string_view path) {
  auto spiffs = spiffs_name(path);
  if (!spiffs || !host_safe(*spiffs) || open_files() >= k_max_open_files) return false;
  std::string name(*spiffs);
  if (!stat_name(name)) return false;  // only a device file, never what a link points out to
  Fd parent(open_parent(name, false));
  std::string base(base_of(name));
  if (!parent || unlinkat(parent.fd, base.c_str(), 0) != 0) return false;
  forget_usage();
  prune_empty_parents(name);
  return true;
}

bool FlashDir::rename(std::string_view from_path, std::string_view to_path) {
  auto from_spiffs = spiffs_name(from_path);
  auto to_spiffs = spiffs_name(to_path);
  if (!from_spiffs || !to_spiffs || !host_safe(*from_spiffs) || !host_safe(*to_spiffs))
    return false;
  if (open_files() >= k_max_open_files) return false;
  std::string from(*from_spiffs), to(*to_spiffs);
  if (!stat_name(from)) return false;
  std::string from_base(base_of(from)), to_base(base_of(to));
  {
    Fd to_parent(open_parent(to, false));
    struct stat st;
    if (to_parent && fstatat(to_parent.fd, to_base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
      return false;  // SPIFFS_ERR_CONFLICTING_NAME
  }
  Fd from_parent(open_parent(from, false));
  Fd to_parent(open_parent(to, true));
  bool ok = from_parent && to_parent;
  if (ok) {
    int r = renameat2(from_parent.fd, from_base.c_str(), to_parent.fd, to_base.c_str(),
                      RENAME_NOREPLACE);
    if (r != 0 && errno == EINVAL)  // a file system without RENAME_NOREPLACE; checked above
      r = renameat(from_parent.fd, from_base.c_str(), to_parent.fd, to_base.c_str());
    ok = r == 0;
  }
  prune_empty_parents(ok ? from : to);
  return ok;
}

void FlashDir::list_into(int dir_fd, const std::string& prefix, std::vector<Entry>& out) {
  DIR* dir = fdopendir(dir_fd);
  if (dir == nullptr) {
    ::close(dir_fd);
    return;
  }
  while (dirent* e = readdir(dir)) {
    std::string_view entry = e->d_name;
    if (entry == "." || entry == "..") continue;
    std::string name = prefix + std::string(entry);
    if (name.size() > k_name_max) continue;  // no SPIFFS name can be that long
    struct stat st;
    if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISREG(st.st_mode)) {
      out.push_back({name, static_cast<std::uint64_t>(st.st_size)});
    } else if (S_ISDIR(st.st_mode)) {
      if (name.size() + 2 > k_name_max) continue;  // room for "/x" at least
      int sub = openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) list_into(sub, name + "/", out);
    } else if (S_ISLNK(st.st_mode)) {
      if (auto target = stat_name(name)) out.push_back(*target);
    }
  }
  closedir(dir);
}

std::vector<FlashDir::Entry> FlashDir::list() {
  std::vector<Entry> out;
  if (root_fd() < 0) return out;
  int fd = openat(root_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) list_into(fd, "", out);
  return out;
}

std::uint64_t FlashDir::used_bytes() {
  if (!used_) {
    std::uint64_t sum = 0;
    for (const auto& e : list()) sum += e.size;
    used_ = sum;
  }
  return *used_;
}

bool FlashDir::reserve(std::uint64_t growth) {
  if (growth == 0) return true;
  std::uint64_t used = used_bytes();
  if (used + growth > total_) return false;
  used_ = used + growth;
  return true;
}

bool FlashDir::format() {
  char flash[PATH_MAX], cwd[PATH_MAX];
  if (realpath(root_path_.c_str(), flash) == nullptr || realpath(".", cwd) == nullptr) return false;
  if (std::string_view(flash) == std::string_view(cwd)) return false;
  for (const auto& e : list()) {
    Fd parent(open_parent(e.name, false));
    std::string base(base_of(e.name));
    if (parent) unlinkat(parent.fd, base.c_str(), 0);
    prune_empty_parents(e.name);
  }
  forget_usage();
  return true;
}

}  // namespace nodemcu_emu::core::flash
