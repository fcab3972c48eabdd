/* mtv-migrate: see migrate.c and README.md. */
int migrate_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return migrate_main(argc, argv);
}
