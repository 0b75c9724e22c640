import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';

/**
 * The shapes the product routes answer (documentation only: the JSON is built by PostgreSQL, see
 * product.queries.ts). Money is a string with two decimals, in EUR.
 */
export class NamedRefDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
}

export class CategoryRefDto extends NamedRefDto {
  @ApiProperty() path!: string;
  @ApiProperty({ type: Number, nullable: true }) parent_id!: number | null;
}

export class DiscountDto {
  @ApiProperty({ enum: ['percent', 'amount'] }) type!: 'percent' | 'amount';
  @ApiProperty({ example: '5.00' }) value!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The e-mailed order that set it' })
  order_number!: string | null;
}

export class AddressDto {
  @ApiProperty({ type: String, nullable: true }) street!: string | null;
  @ApiProperty({ type: String, nullable: true }) postal_code!: string | null;
  @ApiProperty({ type: String, nullable: true }) city!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'ISO 3166-1 alpha-2' }) country!: string | null;
}

export class EuResponsibleDto {
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ type: String, nullable: true }) address!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
}

export class ManufacturerDetailDto extends NamedRefDto {
  @ApiProperty() address!: AddressDto;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) contact_url!: string | null;
  @ApiProperty({ type: EuResponsibleDto, nullable: true }) eu_responsible_person!: EuResponsibleDto | null;
}

export class GpsrDto {
  @ApiProperty() complete!: boolean;
  @ApiProperty({
    type: [String],
    description:
      'What is missing: manufacturer, manufacturer_name, manufacturer_address, manufacturer_contact, eu_responsible_person',
  })
  missing!: string[];
}

export class PhotoDto {
  @ApiProperty() id!: number;
  @ApiProperty({ description: 'Where the photo comes from' }) url!: string;
  @ApiProperty({ enum: ['pending', 'stored', 'failed'] }) status!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Stored file under MEDIA_DIR' }) path!: string | null;
  @ApiProperty({ type: String, nullable: true }) content_type!: string | null;
  @ApiProperty({ type: Number, nullable: true }) bytes!: number | null;
  @ApiProperty({ type: String, nullable: true }) sha256!: string | null;
  @ApiProperty({ type: String, nullable: true }) fetched_at!: string | null;
}

export class ProductListItemDto {
  @ApiProperty() item_no!: string;
  @ApiProperty({ type: String, nullable: true }) ean!: string | null;
  @ApiProperty() title!: string;
  @ApiProperty({ type: NamedRefDto, nullable: true }) manufacturer!: NamedRefDto | null;
  @ApiProperty({ type: NamedRefDto, nullable: true }) license!: NamedRefDto | null;
  @ApiProperty({ type: CategoryRefDto, nullable: true }) category!: CategoryRefDto | null;
  @ApiProperty({ type: String, nullable: true, example: '12.50' }) purchase_price!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '19.99' }) rrp!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) release_date!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0.250' }) weight_kg!: string | null;
  @ApiProperty({ type: String, nullable: true }) image_url!: string | null;
  @ApiProperty({ type: DiscountDto, nullable: true }) discount!: DiscountDto | null;
  @ApiProperty() gpsr_complete!: boolean;
  @ApiProperty() is_deleted!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) last_import_id!: string | null;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class ProductDetailDto extends OmitType(ProductListItemDto, ['manufacturer'] as const) {
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: ManufacturerDetailDto, nullable: true }) manufacturer!: ManufacturerDetailDto | null;
  @ApiProperty({ type: String, nullable: true }) safety_warnings!: string | null;
  @ApiProperty() gpsr!: GpsrDto;
  @ApiProperty({ type: [PhotoDto] }) photos!: PhotoDto[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class ProductPageDto {
  @ApiProperty() count!: number;
  @ApiProperty({ type: String, nullable: true }) next!: string | null;
  @ApiProperty({ type: String, nullable: true }) previous!: string | null;
  @ApiProperty({ type: [ProductListItemDto] }) results!: ProductListItemDto[];
}

export class ErrorDto {
  @ApiProperty() statusCode!: number;
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } }) errors?: { field: string; message: string }[];
}
