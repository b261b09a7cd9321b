"""The config file: where it is, what it sets (script, theme, panes, keymap), and what a bad one
does (a clear message, the defaults, the file untouched)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT

from reader.core.config import Settings, config_path, load_settings
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen, binding_ids

SIZE = (140, 45)


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "reader" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def notices(app: ReaderApp) -> list[str]:
    return [toast.render().plain for toast in app.screen.query("Toast")]


def test_the_file_is_in_the_xdg_config_folder(tmp_path: Path) -> None:
    home = str(Path.home())
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "reader/config.toml"
    assert config_path({}) == Path(home) / ".config/reader/config.toml"
    # A relative XDG_CONFIG_HOME is invalid (the XDG spec): ignored.
    assert config_path({"XDG_CONFIG_HOME": "rel"}) == Path(home) / ".config/reader/config.toml"


def test_the_tests_never_read_the_users_own_file(tmp_path: Path) -> None:
    assert not str(config_path()).startswith(str(Path.home()))


def test_no_file_is_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml") == (Settings(), [])


def test_every_setting_is_read(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        'script = "s2twp"\ntheme = "gruvbox"\n[panes]\nlibrary = false\n'
        '[keymap]\ntag = "g"\nundo = "u, ctrl+z"\n',
    )
    settings, problems = load_settings(path)
    assert problems == []
    assert settings.script == "s2twp" and settings.start_config == "s2twp"
    assert settings.theme == "gruvbox"
    assert settings.panes == {"library": False, "annotations": True}
    assert settings.keymap == {"tag": "g", "undo": "u,ctrl+z"}
    original, _ = load_settings(write_config(tmp_path, 'script = "original"\n'))
    assert original.script == "original" and original.start_config is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('script = "s2twp\n', "not valid TOML"),
        ('script = "klingon"\n', "script = 'klingon' is not one of original, t2s"),
        ("theme = 3\n", "theme = 3 is not a theme's name"),
        ('[panes]\nlibrary = "no"\n', "[panes] library = 'no' is not true or false"),
        ("[panes]\nsidebar = true\n", "[panes] sidebar is not a pane"),
        ('panes = "none"\n', "panes must be a table"),
        ('[keymap]\ntag = ""\n', "[keymap] tag = '' is not keys"),
        ("[keymap]\ntag = 7\n", "[keymap] tag = 7 is not keys"),
        ("colour = 1\n", "colour is not a setting"),
    ],
)
def test_a_bad_setting_is_one_sentence_and_its_default(
    tmp_path: Path, text: str, says: str
) -> None:
    path = write_config(tmp_path, text)
    settings, [problem] = load_settings(path)
    assert says in problem and str(path) in problem
    assert settings == Settings()
    assert path.read_text(encoding="utf-8") == text  # nothing the user wrote is lost


def test_a_file_that_is_not_text_is_the_defaults(tmp_path: Path) -> None:
    path = write_config(tmp_path, "")
    path.write_bytes(b"script = \xff\xfe\n")
    settings, [problem] = load_settings(path)
    assert settings == Settings() and "cannot be read" in problem


def test_good_settings_survive_a_bad_neighbour(tmp_path: Path) -> None:
    settings, problems = load_settings(
        write_config(tmp_path, 'script = "s2t"\ntheme = 5\n[keymap]\ntag = "g"\nundo = 1\n')
    )
    assert settings.script == "s2t" and settings.keymap == {"tag": "g"}
    assert len(problems) == 2


async def test_the_app_starts_as_the_file_says(store: Store, tmp_path: Path) -> None:
    store.preferences.update(script="t2s")  # the file's script wins over the one saved
    path = write_config(
        tmp_path,
        'script = "s2twp"\ntheme = "textual-light"\n[panes]\nannotations = false\n',
    )
    app = make_app(store, settings_file=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.config == "s2twp" and screen.view.config == "s2twp"
        assert app.theme == "textual-light"
        assert screen.query_one("#library").display
        assert not screen.query_one("#panel").display
        await pilot.press("a")  # still there, on demand
        assert screen.query_one("#panel").display


async def test_without_a_script_the_app_opens_in_the_one_chosen_last(
    store: Store, tmp_path: Path
) -> None:
    store.preferences.update(script="s2t")
    app = make_app(store, settings_file=write_config(tmp_path, "[panes]\nlibrary = true\n"))
    async with app.run_test(size=SIZE):
        assert app.screen.config == "s2t"


async def test_remapped_keys_work_and_are_listed(store: Store, tmp_path: Path) -> None:
    path = write_config(tmp_path, '[keymap]\nscript = "ctrl+s,g"\nhelp = "f1"\n')
    app = make_app(store, settings_file=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("s")  # no longer the script key
        assert screen.config is None
        await pilot.press("g")
        assert screen.config == "t2s"
        await pilot.press("ctrl+s")
        assert screen.config == "s2t"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {(where, keys) for where, keys, _ in app.screen.rows}
        assert ("anywhere", "^s / g") in rows
        assert ("anywhere", "s") not in rows


async def test_a_bad_file_opens_the_app_with_a_notice(store: Store, tmp_path: Path) -> None:
    path = write_config(tmp_path, 'theme = "no-such-theme"\n[keymap]\nteleport = "x"\ntag = "g"\n')
    app = make_app(store, settings_file=path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = notices(app)
        assert any("no-such-theme" in notice and "textual-dark" in notice for notice in shown)
        assert any("teleport" in notice for notice in shown)
        assert app.theme == "textual-dark"
        await pilot.press("g")  # the good entry still applies: g tags (nothing selected)
        await pilot.pause()
        assert any("Select a passage first" in notice for notice in notices(app))
    assert path.read_text(encoding="utf-8").startswith('theme = "no-such-theme"')


def test_the_readme_lists_every_binding_id() -> None:
    """A keymap names bindings by id: the README's list is the ids, nothing more or less."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    listed = set(section.split("Binding ids:", 1)[1].split("\n\n", 1)[0].replace("`", " ").split())
    listed = {word.strip(",.") for word in listed} - {""}
    assert binding_ids() <= listed, sorted(binding_ids() - listed)
    assert {word for word in listed if word.isidentifier()} <= binding_ids() | {"and"}


async def test_a_remapped_essential_key_stays_in_the_narrow_footer(
    store: Store, tmp_path: Path
) -> None:
    app = make_app(store, settings_file=write_config(tmp_path, '[keymap]\ntag = "g"\n'))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = {getattr(widget, "key", None) for widget in app.screen.query("FooterKey")}
        assert "g" in keys and "t" not in keys
