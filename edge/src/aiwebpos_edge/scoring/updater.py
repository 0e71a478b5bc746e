"""Takes model releases (`aiwebpos/v1/models/{name}`, retained) off the node's MQTT connection and
installs the ones meant for this store: check the release, download, check the bytes, extract, load,
then swap and record the new pointer on disk. Anything refused on the way is reported in the status and
the node keeps scoring with the model it had.

Downloading, extracting and loading run in worker threads, never on the event loop that serves the
tills. One release is installed at a time (they are rare, and two installs of one model must not race
for its pointer). A retained release comes again on every reconnect: one already in use is a no-op, and
one that failed to download is tried again then.
"""

import asyncio
import logging
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import msgspec

from aiwebpos_contracts.releases import ModelRelease, in_rollout
from aiwebpos_contracts.status import ModelProblem
from aiwebpos_edge.clock import Clock, iso
from aiwebpos_edge.scoring.bundles import ArtifactError, extract_artifact, load_model
from aiwebpos_edge.scoring.installed import Installed, installed_pointers, models_dir, prune, write_pointer
from aiwebpos_edge.scoring.registry import LoadedModel, ModelRegistry
from aiwebpos_edge.scoring.verify import check_artifact, check_release, parse_public_key
from aiwebpos_edge.settings import NodeSettings

log = logging.getLogger("aiwebpos_edge.scoring")
# Names and versions become folder names: nothing but plain characters (no "/", no "..").
RETRY_MAX_S = 600.0  # a download failing for hours is tried every ten minutes
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class Refused(Exception):
    """A release this node will not use; the message is the reason in the status."""


class Unreachable(Refused):
    """The artifact could not be fetched (network, server): worth trying again later."""


def load_installed(settings: NodeSettings, registry: ModelRegistry, clock: Clock) -> None:
    """At start-up, with or without a network: load what the pointers on disk name."""
    for model_dir, pointer in installed_pointers(settings.data_dir):
        try:
            model = load_model(pointer.name, model_dir / pointer.folder)
        except ArtifactError as exc:
            log.error("installed model %s %s does not load: %s", pointer.name, pointer.version, exc)
            registry.refuse(_problem(pointer.name, pointer.version, str(exc), clock))
            continue
        registry.swap(LoadedModel(pointer.name, pointer.version, pointer.sha256, iso(clock.now()), model))


def _problem(name: str, version: str, reason: str, clock: Clock) -> ModelProblem:
    return ModelProblem(name=name, version=version, reason=reason, at=iso(clock.now()))


class ModelUpdater:
    def __init__(
        self,
        settings: NodeSettings,
        store_id: str,
        clock: Clock,
        registry: ModelRegistry,
        on_change: Callable[[], None],
    ) -> None:
        self.settings, self.store_id, self.clock, self.registry = settings, store_id, clock, registry
        self.on_change = on_change
        self.public_key = parse_public_key(settings.model_public_key)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._retries: dict[str, tuple[bytes, int]] = {}  # topic → (the release, failed downloads so far)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def offer(self, topic: str, payload: bytes) -> None:
        """From paho's network thread: hand the release to the event loop."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._start, topic, payload)

    def _start(self, topic: str, payload: bytes) -> None:
        task = asyncio.ensure_future(self.handle(topic, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def handle(self, topic: str, payload: bytes) -> None:
        if not payload:
            return  # a cleared retained message: nothing to install
        topic_name = topic.rsplit("/", 1)[-1]
        try:
            release = msgspec.json.decode(payload, type=ModelRelease)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self._refuse(topic_name, "?", f"the release message is not readable: {exc}")
            return
        if not in_rollout(release.rollout, self.store_id, release.name):
            fallback = release.fallback  # what the stores outside a canary run
            if fallback is None or not in_rollout(fallback.rollout, self.store_id, fallback.name):
                log.info("release %s %s is not for this store", release.name, release.version)
                return
            release = fallback
        async with self._lock:
            current = self.registry.get(release.name)
            if current is not None and (current.version, current.sha256) == (release.version, release.sha256):
                return  # the release in use, delivered again (retained, on reconnect)
            try:
                if release.name != topic_name:
                    raise Refused(f"a release of {release.name!r} arrived on the topic of {topic_name!r}")
                if not (_SAFE.match(release.name) and _SAFE.match(release.version)):
                    raise Refused("the model name or version holds characters a folder name cannot")
                reason = check_release(release, self.public_key, self.settings.model_max_bytes)
                if reason is not None:
                    raise Refused(reason)
                loaded = await self._install(release)
            except Unreachable as exc:
                self._refuse(release.name, release.version, f"{exc} (trying again)")
                self._retry_later(topic, payload)
                return
            except Refused as exc:
                self._refuse(release.name, release.version, str(exc))
                return
            self.registry.swap(loaded)
            self._retries.pop(topic, None)
        log.info("model %s %s in use (sha256 %s)", loaded.name, loaded.version, loaded.sha256[:12])
        self.on_change()

    def _retry_later(self, topic: str, payload: bytes) -> None:
        """A download that failed on the network (or the server) is tried again, less and less often."""
        last_payload, attempts = self._retries.get(topic, (payload, 0))
        attempts = attempts if last_payload == payload else 0
        self._retries[topic] = (payload, attempts + 1)
        delay = min(RETRY_MAX_S, self.settings.model_retry_seconds * 2**attempts)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_later(delay, self._retry, topic, payload)

    def _retry(self, topic: str, payload: bytes) -> None:
        if topic in self._retries and self._retries[topic][0] == payload:  # no newer release meanwhile
            self._start(topic, payload)

    def _refuse(self, name: str, version: str, reason: str) -> None:
        log.warning("model release %s %s refused: %s", name, version, reason)
        self.registry.refuse(_problem(name, version, reason, self.clock))
        self.on_change()

    async def _install(self, release: ModelRelease) -> LoadedModel:
        model_dir = models_dir(self.settings.data_dir) / release.name
        model_dir.mkdir(parents=True, exist_ok=True)
        pointer = next((p for d, p in installed_pointers(self.settings.data_dir) if d == model_dir), None)
        if (
            pointer is not None
            and pointer.previous_folder
            and (pointer.previous_version, pointer.previous_sha256) == (release.version, release.sha256)
            and (model_dir / pointer.previous_folder).is_dir()
        ):
            folder = pointer.previous_folder  # a rollback: the signed bytes are on disk already
            model = await asyncio.to_thread(self._load, release.name, model_dir / folder)
        else:
            artifact = await asyncio.to_thread(self._download, release)
            reason = check_artifact(release, artifact, self.settings.model_max_bytes)
            if reason is not None:
                raise Refused(reason)
            folder, model = await asyncio.to_thread(self._unpack, release, artifact, model_dir, pointer)
        loaded = LoadedModel(release.name, release.version, release.sha256, iso(self.clock.now()), model)
        installed = Installed(
            name=release.name,
            version=release.version,
            sha256=release.sha256,
            loaded_at=loaded.loaded_at,
            folder=folder,
            previous_version=pointer.version if pointer else None,
            previous_sha256=pointer.sha256 if pointer else None,
            previous_folder=pointer.folder if pointer else None,
        )
        await asyncio.to_thread(_commit, model_dir, installed)
        return loaded

    def _download(self, release: ModelRelease) -> bytes:
        """The artifact's bytes; stops reading past the size limit rather than filling the disk."""
        import httpx  # here, not at start: ~0.2 s of imports a node needs only when a release comes

        limit, received = self.settings.model_max_bytes, bytearray()
        try:
            timeout = self.settings.model_download_timeout_seconds
            with (
                httpx.Client(timeout=timeout) as client,
                client.stream("GET", release.artifact_url) as response,
            ):
                if response.status_code != 200:
                    raise Unreachable(
                        f"could not download {release.artifact_url}: HTTP {response.status_code}"
                    )
                for chunk in response.iter_bytes():
                    received += chunk
                    if len(received) > limit:
                        raise Refused(f"artifact is over this node's model_max_bytes ({limit})")
        except httpx.HTTPError as exc:
            raise Unreachable(f"could not download {release.artifact_url}: {exc}") from exc
        return bytes(received)

    def _load(self, name: str, folder: Path) -> object:
        try:
            return load_model(name, folder)
        except ArtifactError as exc:
            raise Refused(str(exc)) from exc

    def _unpack(
        self, release: ModelRelease, artifact: bytes, model_dir: Path, pointer: Installed | None
    ) -> tuple[str, object]:
        """Extract into a scratch folder, load from it, then give it its version's name."""
        scratch = model_dir / f".incoming-{uuid.uuid4().hex}"
        try:
            bundle = extract_artifact(artifact, scratch)
            model = self._load(release.name, bundle)
        except (ArtifactError, Refused) as exc:
            shutil.rmtree(scratch, ignore_errors=True)
            raise Refused(str(exc)) from exc
        in_use = {pointer.folder, pointer.previous_folder} if pointer else set()
        folder = (
            release.version if release.version not in in_use else f"{release.version}-{release.sha256[:12]}"
        )
        shutil.rmtree(model_dir / folder, ignore_errors=True)  # a leftover of an install never committed
        shutil.move(str(bundle), model_dir / folder)
        shutil.rmtree(scratch, ignore_errors=True)
        return folder, model


def _commit(model_dir: Path, installed: Installed) -> None:
    write_pointer(model_dir, installed)
    prune(model_dir, {installed.folder, *([installed.previous_folder] if installed.previous_folder else [])})
