// ProofTreePicture: the flat tree of a proof, drawn for the ProofLesson.
//
// Flat-tree indexes are an in-order walk of the tree (block i is node 2i, parents are odd), so
// a node's index is its column and its depth its row: node 9 sits above and between 8 and 10.
// A small feed (up to MaxFullLeaves blocks) is drawn whole, its other nodes faint; a larger one
// shows only the nodes the proof involves, in index order, with a gap mark where columns were
// left out. Each node is coloured by the part it plays (the block's leaf, a parent computed, a
// sibling from the proof, a node verified earlier, a node that did not match), roots are ringed,
// and hovering a node says what it is.
#pragma once

#include <QString>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

namespace hyperscope {

class ProofTreePicture : public QWidget
{
    Q_OBJECT
public:
    /// What a node does in the proof.
    enum class Role {
        Block,    ///< the leaf of the block being proven
        Computed, ///< a parent hashed during the climb
        Proof,    ///< a node the Data carried (a sibling or a root)
        Verified, ///< a node verified earlier on this channel
        Failed,   ///< computed, but does not match what was verified
        Other,    ///< part of the feed, not involved (drawn faintly)
    };
    struct Node
    {
        std::uint64_t index = 0;
        Role role = Role::Other;
        bool root = false;   ///< one of the feed's roots (ringed)
        QString description; ///< the tooltip: "node 9: parent of 8 and 10, …"
    };
    /// Up to this many blocks the whole tree is drawn.
    static constexpr std::uint64_t MaxFullLeaves = 32;

    explicit ProofTreePicture(QWidget *parent = nullptr);

    /// Draws @p nodes in a feed of @p length blocks (0 when unknown: only @p nodes are drawn).
    void setTree(std::uint64_t length, std::vector<Node> nodes);
    void clear();

    /// The node indexes drawn, in column order (for tests).
    std::vector<std::uint64_t> drawnNodes() const;
    /// The role of the node drawn at @p index, if it is drawn.
    std::optional<Role> roleOf(std::uint64_t index) const;
    /// Where node @p index is drawn, if it is.
    std::optional<QRect> nodeRect(std::uint64_t index) const;

    static QColor colour(Role role);
    static QString roleName(Role role);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Column
    {
        Node node;
        bool gapBefore = false; ///< columns were left out before this one
        bool hidden = false;    ///< a node the feed does not have yet: keeps its column free
    };
    int columnWidth() const;
    int rowHeight() const;
    int treeHeight() const;
    int maxDepth() const;
    QRect rectOf(std::size_t column) const;

    /// The narrowest column: at least its index's width for a large feed's few columns; a whole
    /// small tree may squeeze (a label that does not fit is left out, the tooltip has it).
    int narrowestColumn() const;

    std::vector<Column> m_columns;
    bool m_whole = false; ///< the whole feed is drawn (else only the nodes involved)
};

} // namespace hyperscope
