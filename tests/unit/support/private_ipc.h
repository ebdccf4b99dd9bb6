// Puts the test process into a private, empty IPC namespace, so that tests which create real
// SysV semaphore sets never see or touch the host's.
#pragma once

#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace semguard_test {

// The IPC namespace of the calling thread, e.g. "ipc:[4026531839]"; empty when unreadable.
inline std::string CurrentIpcNamespace() {
  char link[64] = {};
  ssize_t n = readlink("/proc/thread-self/ns/ipc", link, sizeof(link) - 1);
  return n > 0 ? std::string(link, static_cast<size_t>(n)) : std::string();
}

// Calls unshare(CLONE_NEWIPC) once per process (later calls return the first result) and checks
// that the namespace really changed. Needs root. unshare moves only the calling thread: call it
// from the thread that runs the tests (gtest's main thread) before any semget, and fail the test
// when it fails, so nothing reaches the host's semaphore table.
inline ::testing::AssertionResult EnterPrivateIpcNamespace() {
  static const std::string failure = []() -> std::string {
    const std::string before = CurrentIpcNamespace();
    if (unshare(CLONE_NEWIPC) != 0) {
      return std::string("unshare(CLONE_NEWIPC): ") + std::strerror(errno) +
             " (the unit tests must run as root)";
    }
    const std::string after = CurrentIpcNamespace();
    if (after.empty() || after == before)
      return "still in IPC namespace '" + before + "' after unshare";
    return "";
  }();
  if (failure.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << failure;
}

}  // namespace semguard_test
