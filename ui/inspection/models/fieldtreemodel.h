// FieldTreeModel: a read-only tree over one DissectedField tree (the detail pane of the log).
//
// The model wraps the dissection without copying it into items: an index's internal pointer is
// the DissectedField itself, and a flat table built once per tree gives each node its parent and
// row. Every node carries {offset, length}: OffsetRole / LengthRole let the hex view highlight
// exactly the bytes of the selected field. A field name's tooltip is its one-line meaning from
// fielddocs; HelpPageRole names the help page of the message type the tree shows (F1).
#pragma once

#include "dissector.h"

#include <QAbstractItemModel>
#include <QHash>

#include <functional>
#include <memory>

namespace hyperscope {

class FieldTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { FieldColumn, ValueColumn, BytesColumn, ColumnCount };
    enum Role {
        OffsetRole = Qt::UserRole + 1, ///< qulonglong: the field's first byte within the frame.
        LengthRole,                    ///< qulonglong: the field's size in bytes.
        HelpPageRole,                  ///< QString: the help page of the tree's message type, e.g.
                      ///< "message-open.html" (fielddocs::pageName()); empty when none.
        RoleCount
    };

    explicit FieldTreeModel(QObject *parent = nullptr);

    /// Adds to a tree what its bytes alone cannot say (an Open's capability check, which needs
    /// the session's keys). Called by setTree() on every tree before it is shown.
    using Annotator = std::function<void(DissectedField &root)>;
    /// Sets the annotator (none by default; an empty function removes it).
    void setAnnotator(Annotator annotator);

    /// Shows @p root (one model reset), after the annotator saw it. The root itself is the single
    /// top-level row.
    void setTree(DissectedField root);
    /// Shows nothing.
    void clear();
    const DissectedField *root() const { return m_root.get(); }
    /// The message type the tree shows, as fielddocs names it: "Open", "Extension", "Handshake";
    /// empty for notes and trees without a known type.
    QString messageName() const { return m_messageName; }

    /// The deepest field whose range covers byte @p offset (children before parents), or an
    /// invalid index. Used when a byte is clicked in the hex view.
    QModelIndex indexForByte(qsizetype offset) const;
    /// The field at @p index (null for the invalid index).
    const DissectedField *field(const QModelIndex &index) const;

    // QAbstractItemModel
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Link
    {
        const DissectedField *parent = nullptr;
        int row = 0;
    };
    void link(const DissectedField *node, const DissectedField *parent, int row);
    QModelIndex indexOf(const DissectedField *node, int column = 0) const;

    /// fielddocs' name of the message @p node belongs to (Data's nodes are "Node").
    QString messageNameOf(const DissectedField *node) const;

    std::unique_ptr<DissectedField> m_root;
    QHash<const DissectedField *, Link> m_links;
    Annotator m_annotator;
    QString m_messageName;
};

} // namespace hyperscope
