#include "extensionmodel.h"

#include "icons.h"

#include <QColor>
#include <QSet>

#include <algorithm>

namespace hyperscope {

namespace {
constexpr int CounterRefreshMs = 250;

QStringList toStringList(const std::vector<std::string> &names)
{
    QStringList list;
    list.reserve(qsizetype(names.size()));
    for (const std::string &name : names)
        list << QString::fromStdString(name);
    return list;
}
} // namespace

ExtensionModel::ExtensionModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_timer.setInterval(CounterRefreshMs);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ExtensionModel::flush);
}

void ExtensionModel::setChannelLabel(const Key32 &discoveryKey, const QString &label)
{
    m_channelLabels[discoveryKey] = label;
    if (!m_rows.empty())
        emit dataChanged(index(0, ScopeColumn), index(rowCount() - 1, ScopeColumn));
}

void ExtensionModel::apply(const ExtensionTrace &trace)
{
    Lists &lists = m_lists[trace.discoveryKey];
    const QStringList names = toStringList(trace.names);
    switch (trace.kind) {
    case ExtensionTrace::Kind::LocalRegistered:
        lists.local = names;
        break;
    case ExtensionTrace::Kind::Announced:
        lists.announced = names;
        break;
    case ExtensionTrace::Kind::RemoteAnnounced:
        lists.remote = names;
        break;
    }
    rebuild();
}

void ExtensionModel::rebuild()
{
    std::vector<Row> rows;
    for (const auto &[scope, lists] : m_lists) {
        QStringList names = lists.local + lists.remote + lists.announced;
        names.removeDuplicates();
        // Bytewise order, as the protocol sorts names.
        std::sort(names.begin(), names.end(),
                  [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
        for (const QString &name : names) {
            Row row{scope, name, 0, 0};
            const int old = rowOf(scope, name);
            if (old >= 0) {
                row.sent = m_rows[std::size_t(old)].sent;
                row.received = m_rows[std::size_t(old)].received;
            }
            rows.push_back(std::move(row));
        }
    }
    // Names change rarely (a registration, an Options message): a reset is simplest and cheap.
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int ExtensionModel::rowOf(const Scope &scope, const QString &name) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].scope == scope && m_rows[i].name == name)
            return int(i);
    }
    return -1;
}

QString ExtensionModel::nameFor(const Scope &scope, Direction direction, std::uint64_t id) const
{
    const auto it = m_lists.find(scope);
    if (it == m_lists.end())
        return {};
    const QStringList &list =
        direction == Direction::Outbound
            ? (it->second.announced.isEmpty() ? it->second.local : it->second.announced)
            : it->second.remote;
    return id < std::uint64_t(list.size()) ? list.at(qsizetype(id)) : QString();
}

QString ExtensionModel::countMessage(const Scope &scope, Direction direction, std::uint64_t id)
{
    const QString name = nameFor(scope, direction, id);
    if (name.isEmpty())
        return name;
    const int row = rowOf(scope, name);
    if (row >= 0) {
        if (direction == Direction::Outbound)
            ++m_rows[std::size_t(row)].sent;
        else
            ++m_rows[std::size_t(row)].received;
        m_dirty = true;
        if (!m_timer.isActive())
            m_timer.start();
    }
    return name;
}

QStringList ExtensionModel::localNames(const Scope &scope) const
{
    const auto it = m_lists.find(scope);
    return it == m_lists.end() ? QStringList() : it->second.local;
}

QStringList ExtensionModel::remoteNames(const Scope &scope) const
{
    const auto it = m_lists.find(scope);
    return it == m_lists.end() ? QStringList() : it->second.remote;
}

void ExtensionModel::flush()
{
    m_timer.stop();
    if (!m_dirty || m_rows.empty())
        return;
    m_dirty = false;
    emit dataChanged(index(0, SentColumn), index(rowCount() - 1, ReceivedColumn),
                     {Qt::DisplayRole});
}

int ExtensionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ExtensionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ExtensionModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows[std::size_t(index.row())];
    const Lists &lists = m_lists.at(r.scope);
    const qsizetype localId = lists.local.indexOf(r.name);
    const qsizetype remoteId = lists.remote.indexOf(r.name);
    const Match match = localId >= 0 && remoteId >= 0 ? Match::Both
                        : localId >= 0                ? Match::LocalOnly
                                                      : Match::RemoteOnly;
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case ScopeColumn: {
            if (!r.scope)
                return tr("stream");
            const auto label = m_channelLabels.find(*r.scope);
            if (label != m_channelLabels.end())
                return label->second;
            return tr("channel %1")
                .arg(QString::fromLatin1(
                    QByteArray(reinterpret_cast<const char *>(r.scope->data()), 4).toHex()));
        }
        case NameColumn:
            return r.name;
        case LocalColumn:
            return localId >= 0 ? tr("registered") : QString();
        case RemoteColumn:
            return remoteId >= 0 ? tr("announced") : QString();
        case MatchColumn:
            switch (match) {
            case Match::Both:
                return tr("match");
            case Match::LocalOnly:
                return tr("local only");
            case Match::RemoteOnly:
                return tr("remote only");
            }
            return {};
        case LocalIdColumn:
            return localId >= 0 ? QVariant(int(localId)) : QVariant();
        case RemoteIdColumn:
            return remoteId >= 0 ? QVariant(int(remoteId)) : QVariant();
        case SentColumn:
            return qulonglong(r.sent);
        case ReceivedColumn:
            return qulonglong(r.received);
        case ColumnCount:
            break;
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == MatchColumn)
            return icons::dot(match == Match::Both ? QColor(67, 160, 71) : QColor(255, 179, 0));
        return {};
    case Qt::ToolTipRole:
        if (index.column() == MatchColumn) {
            switch (match) {
            case Match::Both:
                return tr("Both sides know this name: messages reach a handler");
            case Match::LocalOnly:
                return tr("Registered here but not announced by the remote: the remote drops "
                          "our messages for it");
            case Match::RemoteOnly:
                return tr("Announced by the remote but not registered here: its messages for "
                          "it are ignored");
            }
        }
        if (index.column() == LocalIdColumn)
            return tr("Index in our sorted list: the id our messages carry");
        if (index.column() == RemoteIdColumn)
            return tr("Index in the remote's sorted list: the id its messages carry");
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= LocalIdColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case ScopeKeyRole:
        return r.scope ? QByteArray(reinterpret_cast<const char *>(r.scope->data()), 32)
                       : QByteArray();
    case NameRole:
        return r.name;
    case MatchRole:
        return int(match);
    }
    return {};
}

QVariant ExtensionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case ScopeColumn:
        return tr("Scope");
    case NameColumn:
        return tr("Name");
    case LocalColumn:
        return tr("Local");
    case RemoteColumn:
        return tr("Remote");
    case MatchColumn:
        return tr("Match");
    case LocalIdColumn:
        return tr("Our id");
    case RemoteIdColumn:
        return tr("Their id");
    case SentColumn:
        return tr("Sent");
    case ReceivedColumn:
        return tr("Received");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace hyperscope
