"""Token sizes of outline nodes, for the chunker: each node's own lines as `Piece`s and the tokens
of each subtree, parsed and counted only when needed.

A branch the last chunking recorded (a `ChunkedBranch` with the same text hash) lends its size
without being parsed or counted again. It does not decide where chunks are cut (see chunk.py).
"""

from __future__ import annotations

from typing import Sequence

from indexer.crumbs import TokenCounter
from indexer.markup import plain
from indexer.outline import Node, Outline
from indexer.pieces import Piece, indent
from indexer.records import ChunkedBranch


class NodeSizes:
    def __init__(self, outline: Outline, count: TokenCounter, previous: list[ChunkedBranch]):
        self.outline, self.count = outline, count
        self.own: dict[Node, list[Piece]] = {}  # filled as nodes are measured
        self.subtree: dict[Node, int] = {}
        self.complete: set[Node] = set()  # nodes whose whole subtree has its pieces
        self.recorded = {branch.text: branch for branch in previous}

    def measure(self, top: Node, known_sizes: bool = True) -> None:
        """Pieces of `top` and tokens of its subtree. With `known_sizes`, a node below it whose size
        is known (this build, or an unchanged branch of the last one) is not parsed or counted
        again; without, every node below it gets its pieces."""
        if top in self.complete or known_sizes and top in self.own and top in self.subtree:
            return
        order, stack, skipped = [], [top], False
        while stack:
            node = stack.pop()
            if node is not top and (
                node in self.complete or known_sizes and self._size_known(node)
            ):
                skipped = skipped or node not in self.complete
                continue
            self.outline.expand(node)
            order.append(node)
            stack.extend(node.children)
        self._count_own([node for node in order if node not in self.own])
        for node in reversed(order):  # children before parents
            self.subtree[node] = sum(p.tokens for p in self.own[node]) + sum(
                self.subtree[c] for c in node.children
            )
        if not skipped:
            self.complete.update(order)

    def _size_known(self, node: Node) -> bool:
        if node in self.subtree:
            return True
        fingerprint = self.outline.fingerprint(node)
        if fingerprint and fingerprint[0] in self.recorded and not self.outline.expanded(node):
            self.subtree[node] = self.recorded[fingerprint[0]].tokens
            return True
        return False

    def has_children(self, node: Node) -> bool:
        if self.outline.expanded(node):
            return bool(node.children)
        return self.recorded[self.outline.fingerprint(node)[0]].has_children

    def _count_own(self, nodes: list[Node]) -> None:
        """Each node's own lines as pieces, token-counted in one batch."""
        if not nodes:
            return
        texts = [
            (node, line_no, line)
            for node in nodes
            for line_no, line in zip(node.lines, node.text.split("\n"))
        ]
        plains = [plain(text) for _, _, text in texts]
        tokens = self.count(plains) if texts else []
        for node in nodes:
            self.own[node] = []
        for (node, line_no, text), search, n in zip(texts, plains, tokens):
            depth = 1 if self.own[node] else 0  # continuation lines hang below the node's title
            self.own[node].append(Piece(text, search, n, (line_no,), depth))

    def titles(self, nodes: Sequence[Node]) -> dict[Node, Piece]:
        """Each node's first piece: its title line, counted without parsing the rest of it."""
        missing = [node for node in nodes if node not in self.own]
        counted = self.count([plain(node.title) for node in missing]) if missing else []
        titles = {
            node: Piece(node.title, plain(node.title), n, (node.line,))
            for node, n in zip(missing, counted)
        }
        return {node: self.own[node][0] if node in self.own else titles[node] for node in nodes}

    def branch(self, node: Node) -> list[Piece]:
        """The whole subtree, indented; iterative because outlines may nest thousands deep."""
        self.measure(node, known_sizes=False)
        pieces, stack = [], [(node, 0)]
        while stack:
            current, level = stack.pop()
            pieces.extend(indent(p, level) for p in self.own[current])
            stack.extend((child, level + 1) for child in reversed(current.children))
        return pieces
