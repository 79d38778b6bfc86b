// ExtensionModel: the extensions of one session, per scope (the stream, or one channel).
//
// One row per (scope, name) in the union of the names registered locally and announced by the
// remote. It also resolves extension ids to names for the log: an outgoing message's id indexes
// our announced list, an incoming one the remote's list (PROTOCOL.md §7), so the two sides' ids
// for one name usually differ, and the table shows both.
#pragma once

#include "trace.h"

#include <QAbstractTableModel>
#include <QStringList>
#include <QTimer>

#include <map>
#include <optional>
#include <vector>

namespace hyperscope {

class ExtensionModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        ScopeColumn,
        NameColumn,
        LocalColumn,
        RemoteColumn,
        MatchColumn,
        LocalIdColumn,
        RemoteIdColumn,
        SentColumn,
        ReceivedColumn,
        ColumnCount
    };
    enum Role {
        ScopeKeyRole = Qt::UserRole + 1, ///< QByteArray discovery key, empty for the stream.
        NameRole,                        ///< QString.
        MatchRole,                       ///< Match, as int.
        RoleCount
    };
    enum class Match { Both, LocalOnly, RemoteOnly };

    using Scope = std::optional<Key32>; ///< nullopt: the stream (channel 0).

    explicit ExtensionModel(QObject *parent = nullptr);

    /// Channel ids, for the Scope column ("channel 1 · 6b7ecf9c").
    void setChannelLabel(const Key32 &discoveryKey, const QString &label);

    void apply(const ExtensionTrace &trace);
    /// Counts an extension frame and returns the extension's name (empty when the id is unknown).
    QString countMessage(const Scope &scope, Direction direction, std::uint64_t id);
    /// The name an id stands for, without counting.
    QString nameFor(const Scope &scope, Direction direction, std::uint64_t id) const;
    QStringList localNames(const Scope &scope) const;
    QStringList remoteNames(const Scope &scope) const;
    /// Publishes dirty counters now.
    void flush();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Lists
    {
        QStringList local;     ///< Registered locally (sorted).
        QStringList announced; ///< What we last announced (ids of our outgoing messages).
        QStringList remote;    ///< The remote's latest announcement.
    };
    struct Row
    {
        Scope scope;
        QString name;
        quint64 sent = 0;
        quint64 received = 0;
    };
    struct ScopeLess
    {
        bool operator()(const Scope &a, const Scope &b) const
        {
            if (a.has_value() != b.has_value())
                return !a.has_value();
            return a && *a < *b;
        }
    };

    void rebuild();
    int rowOf(const Scope &scope, const QString &name) const;

    std::map<Scope, Lists, ScopeLess> m_lists;
    std::vector<Row> m_rows;
    std::map<Key32, QString> m_channelLabels;
    QTimer m_timer;
    bool m_dirty = false;
};

} // namespace hyperscope
