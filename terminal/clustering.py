"""Grouping new stories with earlier reports of the same event (one card, "+N sources").

Set-based, so a large import stays fast: each new story's candidates are its neighbours,
the NEAREST stories within 48 hours that share a ticker with it (or, when none does, a
topic; found by `terminal/neighbours.py`, by the rule of `terminal/nearest.py`); the
candidates' titles are compared in memory; cluster sizes and leads are then refreshed
with one statement per batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, case, select, update
from sqlalchemy.orm import Session

from db.models import Article
from terminal import bound, driver, neighbours, rollups
from terminal.enrich.clusters import ClusterCandidate, find_cluster
from terminal.timekeys import from_pub_key

# A story repeating a cluster's first report has novelty 0: it keeps this share of its
# impact_model (the (0.4 + 0.6 * novelty) factor of docs/enrichment.md).
REPEAT_FACTOR = 0.4
# New stories matched at once by the index walk: at least an import batch (pipeline's
# MAX_BATCH), so a batch is matched in one piece, in time order, as by the window (in
# chunks of 400 in id order, a copy stored ahead of its report could join another
# cluster than by the window).
CHUNK = 2_500
# "+N sources" for one event: past this many reports a cluster takes no more members, so a
# flood of look-alike headlines cannot chain into one giant cluster (each join rewrites the
# whole cluster's size and lead).
MAX_CLUSTER = 50


def assign_clusters(
    session: Session,
    new: Mapping[int, neighbours.Story],
    *,
    uncounted: bool = False,
    tally: rollups.Tally | None = None,
) -> dict[int, bool]:
    """Cluster each new story (`new`: the stories the writer has just stored, by id, with
    what it wrote beside them: `Story.known`) with a near-duplicate headline nearby in
    time; returns the lead flags of the new stories whose clusters changed (the others
    still lead).

    `uncounted`: the new stories are not in the facet roll-ups yet (the caller counts them
    afterwards, with those flags), so only stored stories' lead changes move counts
    (added to the transaction's `tally` when it has one: `rollups.leads_moved`).

    New stories close together in time (what feeds deliver) are matched in memory against
    the stored stories within 48 hours of them that share a ticker or topic, read as one
    index range per ticker or topic; a batch spread
    over a long time (an archive import) walks the link indexes per story instead. Both
    find the same neighbours: the NEAREST closest stories sharing a ticker (or, when no
    story shares one, a topic).
    """
    skip = frozenset(new) if uncounted else frozenset()
    span = neighbours.window(session, [r.pub_key for r in new.values()])
    if span is not None:
        return _assign_chunk(session, new, span, skip, tally)
    leads: dict[int, bool] = {}
    found = list(new)
    for start in range(0, len(found), CHUNK):
        chunk = {i: new[i] for i in found[start : start + CHUNK]}
        leads |= _assign_chunk(session, chunk, None, skip, tally)
    return leads


def _assign_chunk(
    session: Session, new: Mapping[int, neighbours.Story], span: tuple[int, int] | None,
    skip: frozenset[int], tally: rollups.Tally | None,
) -> dict[int, bool]:  # fmt: skip
    pairs, rows, words = neighbours.candidates(session, new, span)
    if not pairs:
        return {}
    assigned: dict[int, int] = {}
    sizes: dict[int, int] = {}  # cluster id -> members, as this chunk changes them

    def size_of(article_id: int) -> int:
        cluster = assigned.get(article_id, rows[article_id].cluster_id)
        if cluster is None:
            return 1
        return sizes.get(cluster, rows[article_id].cluster_size)

    for new_id in sorted(pairs, key=lambda i: rows[i].pub_key):
        if new_id in assigned:  # an earlier story of this batch already joined it
            continue
        me, mine = rows[new_id], words[new_id]
        candidates = [
            ClusterCandidate(
                article_id=o,
                title=rows[o].title,
                published_at=from_pub_key(rows[o].pub_key),
                cluster_id=assigned.get(o, rows[o].cluster_id),
                words=words[o],
            )
            for o in pairs[new_id]  # those sharing enough words (neighbours.candidates)
            if size_of(o) < MAX_CLUSTER
        ]
        if not candidates:
            continue
        match = find_cluster(me.title, from_pub_key(me.pub_key), candidates, words=mine)
        if match is None:
            continue
        cluster_id = match.cluster_id or match.article_id
        sizes[cluster_id] = size_of(match.article_id) + 1
        assigned[new_id] = assigned[match.article_id] = cluster_id
    if not assigned:
        return {}
    # Core statements on the connection, not the ORM's bulk update (its per-call machinery
    # was 2 ms of each batch): clustering keeps no ORM objects.
    session.connection().execute(
        _SET_CLUSTER, [{"story": a, "cluster": c} for a, c in assigned.items()]
    )
    lead = _refresh_clusters(session, sorted(set(assigned.values())), skip, tally)
    _lower_repeats(session, [i for i in assigned if i in pairs and not lead[i]])
    return {i: lead[i] for i in skip if i in lead}


_STORIES = cast(Table, Article.__table__)
_SET_CLUSTER = (
    update(_STORIES)
    .where(_STORIES.c.id == bindparam("story"))
    .values(cluster_id=bindparam("cluster"))
)


def clusters_of(session: Session, which: ColumnElement[bool]) -> list[int]:
    """The clusters of the stories `which` selects: call before deleting those stories,
    then `recount` them."""
    stmt = select(Article.cluster_id).where(which, Article.cluster_id.is_not(None)).distinct()
    return sorted(int(c) for c in session.scalars(stmt) if c is not None)


def recount(session: Session, cluster_ids: Sequence[int]) -> None:
    """After stories were deleted: each cluster's size, and its earliest story left as lead
    (and the roll-ups' lead counts with it, and its impact if it had lost it as a repeat);
    a story left alone leaves its cluster."""
    for start in range(0, len(cluster_ids), 500):
        chunk = list(cluster_ids[start : start + 500])
        _refresh_clusters(session, chunk)
        _restore_leads(session, chunk)
        session.execute(
            update(Article)
            .where(Article.cluster_id.in_(chunk), Article.cluster_size == 1)
            .values(cluster_id=None)
            .execution_options(synchronize_session=False)
        )
    if cluster_ids:
        rollups.prune(session)  # the lead moves leave counts at zero


def _refresh_clusters(
    session: Session,
    cluster_ids: list[int],
    skip: frozenset[int] = frozenset(),
    tally: rollups.Tally | None = None,
) -> dict[int, bool]:
    """Recount each cluster and mark its earliest story as the lead; the roll-ups follow
    the lead changes, except for the stories in `skip` (not counted yet). Returns every
    member's lead flag.

    The members are read once (one range of the cluster index each), their sizes and
    leads worked out here, and only the rows that change are written (correlated count
    and min subqueries per member row, then a second read for the lead changes, cost an
    archive import 0.15 s per 5,000 stories)."""
    connection = session.connection()
    prepared = driver.prepare("cluster members", _members, connection.dialect)
    found = driver.fetch(session, prepared, {"ids": bound.values(session, cluster_ids)})
    members = [
        (story, cast(int, cluster), pub_key, size, lead)
        for story, cluster, pub_key, size, lead in found
    ]
    sizes: dict[int, int] = {}
    first: dict[int, int] = {}
    for _, cluster, pub_key, _, _ in members:
        sizes[cluster] = sizes.get(cluster, 0) + 1
        if pub_key < first.get(cluster, pub_key + 1):
            first[cluster] = pub_key
    changed: list[dict[str, object]] = []
    flipped: list[int] = []
    leads: dict[int, bool] = {}
    for story, cluster, pub_key, size, was_lead in members:
        lead = leads[story] = pub_key == first[cluster]
        if size != sizes[cluster] or bool(was_lead) != lead:
            changed.append({"story": story, "size": sizes[cluster], "lead": lead})
        if story not in skip and bool(was_lead) != lead:
            flipped.append(story)
    if changed:
        connection.execute(_SET_SIZE_AND_LEAD, changed)
    rollups.leads_moved(session, flipped, tally=tally)
    return leads


def _members(dialect: str) -> Any:
    a = Article
    return select(a.id, a.cluster_id, a.pub_key, a.cluster_size, a.is_cluster_lead).where(
        bound.in_list(a.cluster_id, "ids", dialect)
    )


_SET_SIZE_AND_LEAD = (
    update(_STORIES)
    .where(_STORIES.c.id == bindparam("story"))
    .values(cluster_size=bindparam("size"), is_cluster_lead=bindparam("lead"))
)


def _lower_repeats(session: Session, repeats: list[int]) -> None:
    """New stories that joined a cluster after its first report (`repeats`: those that
    do not lead it) lose their novelty (and are marked, so `recount` can give it back)."""
    if not repeats:
        return
    which = (
        bound.in_list(Article.id, "ids", bound.dialect_of(session)),
        Article.is_cluster_lead.is_(False),
    )
    ids = {"ids": bound.values(session, repeats)}
    _rescale_impact(session, which, REPEAT_FACTOR, lowered=False, params=ids)


def _restore_leads(session: Session, cluster_ids: list[int]) -> None:
    """Stories of these clusters that lead again after the stories ahead of them were
    deleted, and had been lowered as repeats, get their model impact back."""
    leads = (Article.cluster_id.in_(cluster_ids), Article.is_cluster_lead.is_(True))
    _rescale_impact(session, leads, 1 / REPEAT_FACTOR, lowered=True)


def _rescale_impact(
    session: Session,
    which: tuple[ColumnElement[bool], ...],
    factor: float,
    *,
    lowered: bool,
    params: dict[str, object] | None = None,
) -> None:
    """Scale the model impact (and the impact score, where the source gave none) of the
    stories `which` selects among those marked `lowered`, and flip the mark."""
    scaled = Article.impact_model * factor
    session.connection().execute(
        update(Article)
        .where(*which, Article.lowered_as_repeat.is_(lowered), Article.impact_model.is_not(None))
        .values(
            impact_model=scaled,
            impact_score=case((Article.impact.is_(None), scaled), else_=Article.impact_score),
            lowered_as_repeat=not lowered,
        ),
        params or {},
    )
