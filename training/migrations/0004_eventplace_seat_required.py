from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("training", "0003_refreshers_bookings")]

    operations = [
        migrations.AlterField(
            model_name="eventplace", name="seat", field=models.PositiveSmallIntegerField()
        ),
        migrations.AlterField(
            model_name="historicaleventplace",
            name="seat",
            field=models.PositiveSmallIntegerField(),
        ),
    ]
