// Small helpers shared by the benchmark programs: a monotonic clock, process memory, command-line
// options and one-line JSON results. Benchmarks print one JSON object per line on stdout;
// bench/report.js turns a run's lines into the markdown table.
#pragma once

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock; // CLOCK_MONOTONIC, the same clock as Node's hrtime

inline double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// CPU time (user + system) of the whole process so far, in seconds.
inline double processCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + ts.tv_nsec / 1e9;
}

/// CPU time of the calling thread so far, in seconds.
inline double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + ts.tv_nsec / 1e9;
}

/// Resident set size of this process, in bytes (/proc/self/statm).
inline std::size_t residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * std::size_t(sysconf(_SC_PAGESIZE));
}

/// Bytes the allocator has handed out and not got back (glibc mallinfo2).
inline std::size_t heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

/// --name value options; flags without a value map to "1".
class Options
{
public:
    Options(int argc, char **argv, int first)
    {
        for (int i = first; i < argc; ++i) {
            std::string arg = argv[i];
            if (arg.rfind("--", 0) != 0)
                continue;
            arg = arg.substr(2);
            // Assigned as std::string, not as const char *: GCC 12 at -O3 misreports the latter
            // (-Wrestrict on the inlined copy), which -Werror turns into a failed build.
            if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0)
                m_values[arg] = std::string(argv[++i]);
            else
                m_values[arg] = std::string("1");
        }
    }
    std::string text(const std::string &name, const std::string &fallback = {}) const
    {
        const auto it = m_values.find(name);
        return it == m_values.end() ? fallback : it->second;
    }
    long long number(const std::string &name, long long fallback) const
    {
        const auto it = m_values.find(name);
        return it == m_values.end() ? fallback : std::atoll(it->second.c_str());
    }
    bool flag(const std::string &name) const { return m_values.count(name) != 0; }

private:
    std::map<std::string, std::string> m_values;
};

/// Builds one JSON object, printed as a single line.
class Result
{
public:
    explicit Result(const std::string &bench, const std::string &impl = "hyperscope")
    {
        add("bench", bench);
        add("impl", impl);
    }
    Result &add(const std::string &key, const std::string &value)
    {
        std::string escaped;
        for (char c : value) {
            if (c == '"' || c == '\\')
                escaped += '\\';
            escaped += c;
        }
        m_fields.emplace_back(key, "\"" + escaped + "\"");
        return *this;
    }
    Result &add(const std::string &key, const char *value) { return add(key, std::string(value)); }
    Result &add(const std::string &key, double value)
    {
        char text[64];
        std::snprintf(text, sizeof text, "%.6g", value);
        m_fields.emplace_back(key, text);
        return *this;
    }
    Result &add(const std::string &key, long long value)
    {
        m_fields.emplace_back(key, std::to_string(value));
        return *this;
    }
    Result &add(const std::string &key, std::uint64_t value)
    {
        m_fields.emplace_back(key, std::to_string(value));
        return *this;
    }
    Result &add(const std::string &key, int value) { return add(key, (long long)value); }
    void print() const
    {
        std::string line = "{";
        for (std::size_t i = 0; i < m_fields.size(); ++i)
            line += (i ? ", \"" : "\"") + m_fields[i].first + "\": " + m_fields[i].second;
        line += "}\n";
        std::fputs(line.c_str(), stdout);
        std::fflush(stdout);
    }

private:
    std::vector<std::pair<std::string, std::string>> m_fields;
};

} // namespace bench
