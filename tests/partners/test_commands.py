import pytest
from django.core.management import CommandError, call_command

from partners.management.commands.load_areas import SAMPLE
from partners.models import Area

pytestmark = pytest.mark.django_db


def test_load_sample_then_update_in_place(tmp_path, capsys):
    call_command("load_areas", str(SAMPLE))
    assert "57 created" in capsys.readouterr().out
    assert Area.objects.count() == 57
    assert set(Area.objects.values_list("nation", flat=True)) == {"england", "scotland", "wales"}
    manchester = Area.objects.get(ons_code="E08000003")
    assert manchester.name == "Manchester" and manchester.region == "North West"
    update = tmp_path / "next.csv"
    update.write_text("LAD23CD,LAD23NM,population\nE08000003,Manchester,560000\n")
    call_command("load_areas", str(update))
    assert "0 created, 1 updated" in capsys.readouterr().out
    manchester.refresh_from_db()
    assert manchester.population == 560000 and Area.objects.count() == 57


@pytest.mark.parametrize(
    "body, message",
    [
        ("ons_code,name,population\nE08000003,Manchester,lots\n", "population: line 3"),
        ("ons_code,name,population\nX123,Nowhere,5\n", "ons_code: line 3: X123"),
        ("ons_code,name\nE08000003,Manchester\n", "no column population"),
        ("ons_code,name,nation,population\nE08000003,Manchester,france,5\n", "nation: line 2"),
    ],
)
def test_bad_rows_load_nothing(tmp_path, body, message):
    path = tmp_path / "areas.csv"
    path.write_text(
        "ons_code,name,population\nE08000001,Bolton,296000\n" + body.split("\n", 1)[1]
        if body.startswith("ons_code,name,population")
        else body
    )
    with pytest.raises(CommandError, match=message):
        call_command("load_areas", str(path))
    assert not Area.objects.exists()


def test_missing_file():
    with pytest.raises(CommandError, match="file: cannot read"):
        call_command("load_areas", "/nonexistent.csv")
